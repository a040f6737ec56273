"""The caseworkers' page (``GET /``), its script and style, and the health probes.

The page is plain HTML with a little vanilla JavaScript, served from the package: no CDN,
no external asset.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from allocator.service.auth import State
from allocator.service.page import render_page
from allocator.service.schemas import Health

router = APIRouter()
STATIC = files("allocator.service") / "static"

_TYPES = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    """The caseworkers' page."""
    return HTMLResponse(render_page())


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The page's script and style sheet (only these two files)."""
    if name not in _TYPES:
        return JSONResponse({"error": "not found", "field": "", "code": "http-404"}, 404)
    text = (STATIC / name).read_text(encoding="utf-8")
    return Response(text, media_type=_TYPES[name], headers={"Cache-Control": "no-cache"})


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Health, tags=["health"], responses={503: {"model": Health}})
async def readyz(state: State) -> Response:
    """The database answers and the chain head matches the last decision (503 otherwise)."""
    try:
        problem = await run_in_threadpool(state.store.check_head)
    except Exception:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    if problem:
        return JSONResponse({"status": f"audit chain broken: {problem}"}, status_code=503)
    return JSONResponse({"status": "ready"})
