/* A share link's page: one order's clips and its evidence sheet, nothing else; no login. */
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var base = window.location.pathname.replace(/\/+$/, "");
  function show(info) {
    $("share").hidden = false;
    $("order-no").textContent = info.order_no;
    $("until").textContent = when(info.expires_at);
    if (info.from_s !== null && info.to_s !== null) {
      $("cut").hidden = false;
      $("cut").textContent = t("cut") + ": " + info.from_s + " - " + info.to_s + " " + t("seconds");
    }
    $("sheet").href = base + "/sheet.pdf";
    var box = $("clips"); box.replaceChildren();
    info.clips.forEach(function (c) {
      var div = el("div", null, "clip");
      div.appendChild(el("div", (c.waybills || []).join(", ") + " · " + c.station + " · " + (c.packer || "-") + " · " + when(c.started_at)));
      div.appendChild(el("div", "SHA-256 " + c.sha256));
      var b = el("button", t("Play")); b.type = "button"; b.className = "play";
      b.addEventListener("click", function () {
        var src = base + "/clips/" + c.id;
        playerWithMarks($("player"), $("marks"), src, c.marks);
        $("download").href = src + "?download=1";
        $("player-box").hidden = false;
        $("player").play().catch(function () {});
      });
      div.appendChild(b);
      box.appendChild(div);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    applyLang();
    $("lang").addEventListener("click", function () { switchLang(); });
    fetch(base + "/info", { credentials: "omit" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(show).catch(function () { $("gone").hidden = false; $("share").hidden = true; });
  });
}());
