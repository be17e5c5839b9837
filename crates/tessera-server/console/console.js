// Review console: the admin API with the operator's token (kept in this tab's sessionStorage).
"use strict";

const $ = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem("tessera-admin-token") || "";

function say(text, error) {
  $("message").textContent = text;
  $("message").className = error ? "error" : "";
}

async function api(method, path, body, contentType) {
  const headers = { Authorization: "Bearer " + token() };
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : contentType ? body : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    throw new Error((json && (json.detail || json.title)) || "HTTP " + res.status);
  }
  return json;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function button(text, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.className = cls;
  b.addEventListener("click", onClick);
  return b;
}

async function review(id, action, reason) {
  try {
    const body = action === "reject" ? { reason } : undefined;
    await api("POST", "/v1/admin/applications/" + id + "/" + action, body);
    say(action === "approve" ? "已通过 Approved" : "已驳回 Rejected");
    await refresh();
  } catch (e) {
    say(e.message, true);
  }
}

async function refresh() {
  if (!token()) {
    say("请输入管理令牌 Enter the admin token", true);
    return;
  }
  try {
    const status = $("status-filter").value;
    const list = await api("GET", "/v1/admin/applications" + (status ? "?status=" + status : ""));
    const body = $("applications");
    body.replaceChildren();
    for (const a of list) {
      const row = document.createElement("tr");
      cell(row, new Date(a.created_at * 1000).toLocaleString());
      cell(row, a.project);
      cell(row, a.name);
      cell(row, a.id_number || a.id_number_masked);
      cell(row, a.phone || a.phone_masked);
      cell(row, a.organization);
      cell(row, a.email);
      cell(row, a.status + (a.reason ? "：" + a.reason : ""));
      const actions = cell(row, "");
      actions.className = "actions";
      if (a.status === "pending") {
        const reason = document.createElement("input");
        reason.placeholder = "驳回原因 Reason";
        reason.setAttribute("aria-label", "驳回原因 Reason");
        actions.append(
          button("通过 Approve", "approve", () => review(a.id, "approve")),
          " ",
          reason,
          button("驳回 Reject", "reject", () =>
            reason.value.trim() ? review(a.id, "reject", reason.value) : say("请填写驳回原因 Give a reason", true)),
        );
      }
      body.appendChild(row);
    }
    const outbox = await api("GET", "/v1/admin/sms?limit=1000");
    $("outbox").replaceChildren(
      ...outbox.slice(-20).reverse().map((m) => {
        const li = document.createElement("li");
        li.textContent = new Date(m.created_at * 1000).toLocaleString() + "  " + m.phone + "  " + m.body;
        return li;
      }),
    );
    say(list.length + " 条 shown");
  } catch (e) {
    say(e.message, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("token").value = token();
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("tessera-admin-token", $("token").value.trim());
    refresh();
  });
  $("refresh").addEventListener("click", refresh);
  $("status-filter").addEventListener("change", refresh);
  $("csv-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const text = await $("csv-file").files[0].text();
      const r = await api("POST", "/v1/admin/projects/" + $("csv-project").value + "/pre-entered", text, "text/csv");
      say("导入 imported " + r.imported + (r.errors.length ? "；错误行 refused lines: " + r.errors.map((e) => e.line + " " + e.reason).join("; ") : ""), r.errors.length > 0);
    } catch (e) {
      say(e.message, true);
    }
  });
  if (token()) refresh();
});
