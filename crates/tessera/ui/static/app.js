// Tessera UI: small progressive enhancements. Every page works without this file.
"use strict";

(function () {
  const body = document.body;
  const toast = document.getElementById("toast");
  let toastTimer = null;

  function say(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 2500);
  }

  // Fallback for browsers without the asynchronous Clipboard API (or without permission).
  function copyByCommand(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    body.removeChild(area);
    return ok;
  }

  function copy(text, label) {
    const done = function () { say(body.dataset.copied + " · " + label); };
    const fallback = function () {
      if (copyByCommand(text)) done(); else say(body.dataset.copyFailed);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-copy]");
    if (target) copy(target.dataset.copy, target.dataset.label || "");
  });

  // Selects that save themselves when changed; their Save buttons are for script-less browsers.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    const button = select.form && select.form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The thumbprint menu switches the shown value in place.
  const tp = document.querySelector("select[data-thumbprint]");
  if (tp) {
    const nojs = tp.form.querySelector("[data-nojs]");
    if (nojs) nojs.hidden = true;
    const shown = document.getElementById("thumbprint-value");
    tp.addEventListener("change", function () {
      const option = tp.options[tp.selectedIndex];
      shown.dataset.copy = option.dataset.value;
      shown.dataset.label = option.textContent;
      shown.querySelector(".label").textContent = option.textContent;
      shown.querySelector(".value").textContent = option.dataset.value;
      history.replaceState(null, "", "?tp=" + encodeURIComponent(option.value));
    });
  }

  // A live strength hint under a new-PIN field: the app rates the PIN (the rules live there, not
  // here); the PIN goes in a POST body to this computer only.
  document.querySelectorAll("input[data-strength]").forEach(function (input) {
    const out = document.getElementById("pin-strength");
    const csrf = input.form.querySelector("input[name=csrf]").value;
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (!input.value) { out.hidden = true; return; }
      timer = setTimeout(function () {
        const body = new URLSearchParams();
        body.set("csrf", csrf);
        body.set("pin", input.value);
        fetch(input.dataset.strength, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
          .then(function (hint) {
            out.textContent = hint.text;
            out.className = "strength small-text " + hint.level;
            out.hidden = false;
          }, function () { out.hidden = true; });
      }, 200);
    });
  });

  // Self-service: an enrollment QR image is sent as a data: URL in a hidden field (the form
  // stays URL-encoded for the CSRF check), scaled down until it fits the form size limit.
  document.querySelectorAll("input[type=file][data-qr-image]").forEach(function (input) {
    const field = document.getElementById(input.dataset.qrImage);
    input.addEventListener("change", function () {
      const file = input.files && input.files[0];
      if (!file || !field) return;
      const reader = new FileReader();
      reader.onload = function () {
        const img = new Image();
        img.onload = function () {
          let side = Math.min(1200, Math.max(img.width, img.height));
          let url = "";
          for (let i = 0; i < 8; i++) {
            const scale = side / Math.max(img.width, img.height);
            const canvas = document.createElement("canvas");
            canvas.width = Math.max(1, Math.round(img.width * scale));
            canvas.height = Math.max(1, Math.round(img.height * scale));
            const g = canvas.getContext("2d");
            g.fillStyle = "#fff";
            g.fillRect(0, 0, canvas.width, canvas.height);
            g.drawImage(img, 0, 0, canvas.width, canvas.height);
            url = canvas.toDataURL("image/png");
            if (url.length > 45000) url = canvas.toDataURL("image/jpeg", 0.85);
            if (url.length <= 45000) break;
            side = Math.round(side * 0.8);
          }
          field.value = url;
          input.dispatchEvent(new Event("qr-image-ready", { bubbles: true }));
        };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  });

  // A submitted form cannot be sent twice (a second delete or PIN change would cost a retry).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
})();
