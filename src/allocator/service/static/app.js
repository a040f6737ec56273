// The caseworkers' page: build a household, send it, show the explained decision.
// Plain JavaScript, no library. Data from the server is shown with textContent only.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let memberCounter = 0;

  // ---- token, kept in this page's memory only (never in sessionStorage, localStorage or a
  // cookie): a reload or a closed tab forgets it, and no other script or page can read it.
  let bearerToken = "";
  function token() {
    return bearerToken;
  }
  function showTokenStatus() {
    $("token-status").textContent = token()
      ? "A token is kept in this page until it is reloaded. / توکن تا بارگذاری دوباره صفحه نگه‌داری شد."
      : "No token yet. / هنوز توکنی وارد نشده است.";
  }
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (value) bearerToken = value;
    $("token").value = "";
    showTokenStatus();
  });
  $("token-forget").addEventListener("click", () => {
    bearerToken = "";
    showTokenStatus();
  });

  // ---- members: clone the server-rendered template
  function renumber() {
    document.querySelectorAll("#members .member").forEach((li, i) => {
      li.querySelector(".member-number").textContent = String(i + 1);
    });
  }
  function addMember(values) {
    const index = memberCounter++;
    const fragment = $("member-template").content.cloneNode(true);
    fragment.querySelectorAll("[id]").forEach((el) => {
      el.id = el.id.replace("__i__", String(index));
    });
    fragment.querySelectorAll("label[for]").forEach((el) => {
      el.htmlFor = el.htmlFor.replace("__i__", String(index));
    });
    const li = fragment.querySelector("li");
    li.querySelector(".remove-member").addEventListener("click", () => {
      li.remove();
      renumber();
    });
    if (values) {
      li.querySelectorAll("[data-field]").forEach((el) => {
        const name = el.dataset.field;
        if (!(name in values)) return;
        if (el.type === "checkbox") el.checked = Boolean(values[name]);
        else el.value = String(values[name]);
      });
    }
    $("members").appendChild(fragment);
    renumber();
    return li;
  }
  $("add-member").addEventListener("click", () => {
    const li = addMember({ relation: "child" });
    li.querySelector("input, select").focus();
  });

  function readFields(container) {
    const data = {};
    container.querySelectorAll(":scope [data-field]").forEach((el) => {
      const name = el.dataset.field;
      if (el.type === "checkbox") data[name] = el.checked;
      else if (el.type === "number") {
        if (el.value !== "") data[name] = Number(el.value);
      } else if (el.value !== "") data[name] = el.value;
    });
    return data;
  }
  function formToHousehold() {
    const household = readFields($("household-form").querySelector("fieldset"));
    household.members = Array.from(document.querySelectorAll("#members .member")).map(readFields);
    return household;
  }
  $("form-to-json").addEventListener("click", () => {
    $("household-json").value = JSON.stringify(formToHousehold(), null, 2);
    showJsonHint();
  });

  // ---- pasted JSON: sent instead of the form whenever the box holds any
  function pastedJson() {
    return $("household-json").value.trim();
  }
  function showJsonHint() {
    $("submit-source").textContent = pastedJson()
      ? "The pasted JSON will be sent (empty the box to send the form). / JSON چسبانده‌شده ارسال می‌شود."
      : "";
  }
  $("household-json").addEventListener("input", showJsonHint);
  function inputError(message, field) {
    const error = new Error(message);
    error.field = field || "";
    return error;
  }
  // The body to send: the pasted JSON when there is some, else the form. A pasted
  // household without household_id takes the form's Household ID when one is given.
  function householdBody() {
    const text = pastedJson();
    if (!text) return JSON.stringify(formToHousehold());
    let data;
    try {
      data = JSON.parse(text);
    } catch (problem) {
      throw inputError("The pasted JSON is not valid: " + problem.message +
        " / JSON چسبانده‌شده معتبر نیست.", "json");
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw inputError("The pasted JSON must be one household object ({...}). / " +
        "JSON باید یک خانوار باشد.", "json");
    }
    if (data.household_id === undefined || data.household_id === null || data.household_id === "") {
      const formId = $("hh-household_id").value;
      if (formId === "") {
        throw inputError("household_id: the pasted JSON has no household_id; add it to the JSON " +
          "or fill in Household ID above. / شناسه خانوار را وارد کنید.", "household_id");
      }
      data.household_id = Number(formId);
    }
    return JSON.stringify(data);
  }
  function clearResult() {
    $("result").hidden = true;
    $("result-summary").textContent = "";
    $("result-table").querySelector("tbody").replaceChildren();
  }

  // ---- talking to the API
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (token()) headers.Authorization = "Bearer " + token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body });
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = { error: "unreadable answer (" + response.status + ")" };
    }
    if (!response.ok) {
      const error = new Error(data.error || "request failed");
      error.status = response.status;
      error.field = data.field || "";
      throw error;
    }
    return data;
  }
  function showError(error) {
    const box = $("error");
    box.hidden = false;
    let text = (error.status ? "Error " + error.status + ": " : "Error: ") + error.message;
    if (error.status === 401) text += " — enter a token above. / توکن را وارد کنید.";
    box.textContent = text;
    focusField(error.field);
  }
  function clearError() {
    $("error").hidden = true;
    $("error").textContent = "";
  }
  function focusField(path) {
    if (!path) return;
    if (path === "json" || (pastedJson() && path !== "household_id")) {
      $("json-box").open = true;
      $("household-json").setAttribute("aria-invalid", "true");
      $("household-json").focus();
      return;
    }
    const match = /^members\[(\d+)\]\.(\w+)$/.exec(path);
    let el = null;
    if (match) {
      const li = document.querySelectorAll("#members .member")[Number(match[1])];
      el = li && li.querySelector('[data-field="' + match[2] + '"]');
    } else {
      el = $("household-form").querySelector('fieldset [data-field="' + path + '"]');
    }
    if (el) {
      el.setAttribute("aria-invalid", "true");
      el.focus();
    }
  }

  // ---- showing a decision
  // A condition's texts (expression, sentences, source) come once per service in
  // service.conditions; decisions recorded before that carry them on each trace.
  function withTexts(service, trace) {
    const said = (service.conditions || []).find((c) => c.id === trace.id);
    return said ? Object.assign({}, said, trace) : trace;
  }
  function describeCondition(trace) {
    const outcome = { passed: "true", failed: "false", not_reached: "not reached" }[trace.status];
    let text = trace.expression;
    if (trace.op) {
      text += ": " + JSON.stringify(trace.left) + " " + trace.op + " " +
        JSON.stringify(trace.right) + " is " + outcome;
    } else {
      text += ": " + outcome;
    }
    return (trace.explain ? trace.explain + " — " : "") + text;
  }
  // Every failed condition of the household (or of the member that got furthest), each as
  // a Persian sentence with its English one and its sources; older recorded decisions
  // without sentences fall back to the first failed condition's expression.
  function whyNotList(service) {
    const list = document.createElement("ul");
    list.className = "why-not";
    const detail = service.details.find((d) => !d.eligible &&
      (service.why_not_member === undefined
        ? d.failed_condition === service.failed_condition
        : d.member === service.why_not_member));
    const failed = detail
      ? detail.conditions.filter((c) => c.status === "failed").map((c) => withTexts(service, c))
      : [];
    for (const trace of failed) {
      const item = document.createElement("li");
      item.className = "reason";
      item.dataset.condition = trace.id;
      const who = detail.member === null ? "" : "عضو " +
        String(detail.member + 1).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) + ": ";
      const fa = document.createElement("p");
      fa.lang = "fa";
      fa.dir = "rtl";
      fa.className = "reason-fa";
      fa.textContent = who + (trace.reason_fa || trace.explain_fa || trace.explain || trace.id);
      const en = document.createElement("p");
      en.className = "reason-en";
      en.textContent = (detail.member === null ? "" : "member " + (detail.member + 1) + ": ") +
        (trace.reason || describeCondition(trace));
      item.append(fa, en);
      const sources = [trace.source || ""].concat(
        (trace.facts || []).flatMap((f) => f.sources || [])).filter((s) => s);
      for (const source of new Set(sources)) {
        const cite = document.createElement("p");
        cite.className = "source";
        cite.textContent = "Source / منبع: " + source;
        item.appendChild(cite);
      }
      list.appendChild(item);
    }
    if (!failed.length) {
      const item = document.createElement("li");
      item.textContent = service.failed_condition || "";
      list.appendChild(item);
    }
    return list;
  }
  function why(service) {
    const reasons = [];
    for (const detail of service.details) {
      if (!detail.eligible) continue;
      const who = detail.member === null ? "" : "member " + (detail.member + 1) + ": ";
      const applied = detail.priority
        ? detail.priority.terms.filter((t) => t.applied).map((t) => t.explain || t.id)
        : [];
      reasons.push(who + "all conditions hold" +
        (applied.length ? "; priority: " + applied.join(", ") : ""));
    }
    return reasons.join(" | ");
  }
  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function renderDecision(decision) {
    $("result").hidden = false;
    $("result-summary").textContent =
      "Decision " + decision.decision_id + " — household " + decision.household_id +
      ", date " + decision.date +
      (decision.date_jalali ? " (" + decision.date_jalali + ", fiscal year / سال مالی " +
        decision.fiscal_year + ")" : "") + ", rules " + decision.ruleset.version +
      " (" + decision.ruleset.hash.slice(0, 12) + "). Case file / پرونده: " +
      (decision.case_file ? "yes (" + decision.case_file_agency + ")" : "no");
    const body = $("result-table").querySelector("tbody");
    body.replaceChildren();
    for (const service of decision.services) {
      const row = document.createElement("tr");
      row.dataset.service = service.service_id;
      const name = cell(row, service.name);
      if (service.name_fa) {
        const fa = document.createElement("span");
        fa.lang = "fa";
        fa.dir = "rtl";
        fa.textContent = service.name_fa;
        name.append(" ", fa); // the space outside the span: never "disabilityتوانبخشی"
      }
      cell(row, service.eligible ? "Eligible / واجد شرایط" +
        (service.entity === "member" ? " (" + service.units + ")" : "")
        : "Not eligible / فاقد شرایط", service.eligible ? "yes" : "no");
      cell(row, service.tier === null || !service.eligible ? "—" : String(service.tier));
      cell(row, service.agency || "—");
      const explain = cell(row, service.eligible ? why(service) : "Why not / چرا نه:", "explain");
      if (!service.eligible) explain.appendChild(whyNotList(service));
      body.appendChild(row);
    }
    $("result").scrollIntoView({ block: "start" });
  }

  // ---- submit a household
  $("household-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    clearResult(); // an earlier decision never stays on screen under a new answer or error
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const day = $("decision-date").value;
    const path = "/v1/eligibility" + (day ? "?date=" + encodeURIComponent(day) : "");
    $("submit").disabled = true;
    try {
      renderDecision(await api("POST", path, householdBody()));
    } catch (error) {
      showError(error);
    } finally {
      $("submit").disabled = false;
    }
  });

  // ---- earlier decisions of a household
  $("history-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    clearResult();
    const list = $("history");
    list.replaceChildren();
    const id = $("history-id").value;
    try {
      const data = await api("GET", "/v1/households/" + encodeURIComponent(id) + "/decisions");
      if (!data.decisions.length) {
        const li = document.createElement("li");
        li.textContent = "No decisions recorded. / تصمیمی ثبت نشده است.";
        list.appendChild(li);
      }
      for (const item of data.decisions) {
        const li = document.createElement("li");
        li.className = "history-item";
        const text = document.createElement("span");
        text.textContent = item.date + " — " + item.eligible_services.length +
          " eligible service(s), recorded " + item.recorded_at.slice(0, 19).replace("T", " ") +
          " UTC, rules " + item.ruleset.version;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = "Show / نمایش";
        button.setAttribute("aria-label", "Show decision " + item.decision_id);
        button.addEventListener("click", async () => {
          try {
            const record = await api("GET", "/v1/decisions/" + item.decision_id);
            renderDecision(Object.assign({ decision_id: record.decision_id }, record.output));
          } catch (error) {
            showError(error);
          }
        });
        li.append(text, " ", button);
        list.appendChild(li);
      }
    } catch (error) {
      showError(error);
    }
  });

  // ---- start
  showTokenStatus();
  addMember({ relation: "head" });
  fetch("/healthz").then((response) => {
    const version = response.headers.get("X-Ruleset-Version");
    const hash = response.headers.get("X-Ruleset-Hash") || "";
    if (version) {
      $("ruleset-line").textContent = "Rules in force / قواعد جاری: " + version +
        " (" + hash.slice(0, 12) + ")";
    }
  }).catch(() => {});
})();
