/* PackGate floor: login, the shift's figures pushed by the server (Server-Sent Events), an order's
   timeline, clips and share links. Plain JavaScript, no build step; shop data only as text. */
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var stream = null, last = null, currentClip = null;

  var TILES = [["ready", "Ready"], ["packing", "Packing"], ["packed", "Packed, awaiting pickup"],
    ["on_hold", "On hold", "warn"], ["cancelled", "Cancelled"], ["late", "Late", "bad"],
    ["packed_without_waybill", "Packed without waybill", "bad"], ["packed_in_period", "Packed in period"],
    ["handed_over", "Handed over"]];
  var PLATFORM = [["not_on_platform", "Not on the platform"], ["platform_failed", "Platform failed", "bad"],
    ["late_to_platform", "Late to the platform", "warn"], ["due_soon", "Due soon", "warn"], ["overdue", "Overdue", "bad"]];

  var EXCEPTIONS = { on_hold: "On hold", late: "Late", awaiting_pickup: "Not picked up in time",
    parcels_left_behind: "Parcels left behind", reprints: "Labels reprinted", unlinked: "Waybills unlinked" };

  function api(path, options) {
    options = options || {};
    var init = { method: options.method || "GET", credentials: "same-origin", headers: {} };
    if (options.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch("/floor/api/" + path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 403 && data.detail && data.detail.kind === "no_session") { showLogin(t("Session ended: log in again")); }
        if (!r.ok) { var e = new Error(detailText(data)); e.status = r.status; throw e; }
        return data;
      });
    });
  }
  function detailText(data) {
    var d = data && data.detail;
    if (!d) { return "error"; }
    if (typeof d === "string") { return d; }
    if (Array.isArray(d)) { return d.map(function (i) { return i.msg; }).join("; "); }
    return message(d.message, d.text || "error");
  }

  function showLogin(message) {
    if (stream) { stream.close(); stream = null; }
    $("floor").hidden = true; $("logout").hidden = true; $("login-box").hidden = false;
    $("who").textContent = "";
    $("login-error").textContent = message || "";
    $("badge").focus();
  }
  function showFloor(name) {
    $("login-box").hidden = true; $("floor").hidden = false; $("logout").hidden = false;
    $("who").textContent = name;
    listen();
  }

  function listen() {
    if (stream) { stream.close(); }
    var live = $("live");
    live.className = "live"; live.setAttribute("data-t", "connecting"); live.textContent = t("connecting");
    stream = new EventSource("/floor/api/events?period=" + encodeURIComponent($("period").value));
    stream.addEventListener("figures", function (e) {
      live.className = "live on"; live.setAttribute("data-t", "live"); live.textContent = t("live");
      render(JSON.parse(e.data));
    });
    stream.addEventListener("ended", function () {
      stream.close(); stream = null;
      api("me").then(function (me) { showFloor(me.supervisor.name); }).catch(function () {});
    });
    stream.onerror = function () {
      live.className = "live"; live.setAttribute("data-t", "offline"); live.textContent = t("offline");
      if (stream && stream.readyState === EventSource.CLOSED) {
        api("me").then(function () { listen(); }).catch(function () {});
      }
    };
  }

  function tiles(box, list, values) {
    box.replaceChildren();
    list.forEach(function (item) {
      if (values[item[0]] === undefined) { return; }
      var tile = el("div", null, "tile" + (item[2] && values[item[0]] ? " " + item[2] : ""));
      tile.setAttribute("data-key", item[0]);
      tile.appendChild(el("span", values[item[0]], "n"));
      tile.appendChild(el("span", t(item[1]), "l"));
      box.appendChild(tile);
    });
  }

  function render(f) {
    last = f;
    tiles($("tiles"), TILES, f.tiles || {});
    var p = f.platform || {};
    tiles($("platform"), PLATFORM, { not_on_platform: f.not_on_platform, platform_failed: f.platform_failed,
      late_to_platform: p.late_to_platform, due_soon: f.due_soon, overdue: f.overdue });
    var ex = $("exceptions"); ex.replaceChildren();
    Object.keys(f.exceptions || {}).forEach(function (name) {
      var rows = f.exceptions[name];
      var count = (f.exception_counts || {})[name];
      var title = el("h4", t(EXCEPTIONS[name] || name) + " (" + (count === undefined ? rows.length : count) + ")");
      ex.appendChild(title);
      if (!rows.length) { return; }
      var wrap = el("div", null, "scroll");
      wrap.appendChild(table(["Order", "Time", "Bench", "Packer", "Detail"], rows.slice(0, 50).map(function (r) {
        return [r.order_no, when(r.at), r.station, r.user, r.detail];
      })));
      ex.appendChild(wrap);
    });
    $("ready").replaceChildren(table(["Order", "Shop", "Carrier", "Ship by", "Created"],
      (f.ready_orders || []).slice(0, 100).map(function (r) { return [r.order_no, r.shop, r.carrier, when(r.ship_by), when(r.created_at)]; })));
    $("carriers").replaceChildren(table(["Carrier", "Packed", "Handed over", "Awaiting pickup", "Open manifests"],
      Object.keys(f.by_carrier || {}).map(function (k) { var r = f.by_carrier[k]; return [k, r.packed, r.handed_over, r.awaiting_pickup, r.open_manifests]; })));
    var people = function (rows) {
      return Object.keys(rows || {}).map(function (k) {
        var r = rows[k];
        return [k, r.orders, r.items, r.median_seconds === null ? "-" : Math.round(r.median_seconds), (r.refused_rate * 100).toFixed(1) + "%"];
      });
    };
    $("packers").replaceChildren(table(["Packer", "Orders (n)", "Items", "Median (s)", "Refused"], people(f.by_packer)));
    $("stations").replaceChildren(table(["Bench", "Orders (n)", "Items", "Median (s)", "Refused"], people(f.by_station)));
    $("updated").textContent = t("updated") + " " + when(f.generated_at);
    document.body.setAttribute("data-version", f.version || "");
  }

  function showOrder(d) {
    var box = $("order"); box.replaceChildren();
    var dl = el("dl");
    var platform = d.platform_status ? [d.platform_status.state || d.platform_status.status, d.platform_status.error || d.platform_status.last_error]
      .filter(function (x) { return x; }).join(" · ") : "-";
    [["Order", d.order_no], ["State", d.state], ["Shop", d.shop], ["Carrier", d.carrier], ["Waybill", d.waybill],
      ["Ship by", when(d.ship_by)], ["Created", when(d.created_at)], ["Packed", when(d.packed_at)],
      ["Handed over", when(d.handed_over_at)], ["Platform", platform], ["Bench", d.station], ["Packer", d.packer],
      ["Recipient", d.recipient_name], ["Note", d.note]].forEach(function (pair) {
      dl.appendChild(el("dt", t(pair[0])));
      var dd = el("dd", pair[1] === null || pair[1] === undefined || pair[1] === "" ? "-" : pair[1]);
      if (pair[0] === "Note") { dd.id = "order-note"; }
      dl.appendChild(dd);
    });
    box.appendChild(dl);
    box.appendChild(el("h3", t("Lines")));
    box.appendChild(table(["SKU", "Name", "Qty", "Scanned"], (d.lines || []).map(function (l) { return [l.sku, l.name, l.qty, l.scanned]; })));
    box.appendChild(el("h3", t("Parcels")));
    box.appendChild(table(["#", "Waybill", "Box", "g", "State"], (d.parcels || []).map(function (p) { return [p.seq, p.waybill, p.box, p.weight_g, p.state]; })));
    box.appendChild(el("h3", t("Timeline")));
    var wrap = el("div", null, "scroll");
    wrap.appendChild(table(["Time", "Bench", "Packer", "Kind", "Scan", "Result", "Detail"], (d.events || []).map(function (e) {
      return { cls: e.accepted ? "" : "refused", cells: [when(e.at), e.station, e.user, e.kind, e.code, t(e.accepted ? "ok" : "refused"), e.message] };
    })));
    wrap.id = "timeline";
    box.appendChild(wrap);
  }

  function showClips(list) {
    var box = $("clips"); box.replaceChildren();
    $("player-box").hidden = true;
    if (!list.length) { box.appendChild(el("p", t("No clips found"))); $("share-form").hidden = true; return; }
    list.forEach(function (c) {
      var div = el("div", null, "clip");
      div.appendChild(el("div", c.order_no + " · " + (c.waybills || []).join(", ") + " · " + c.station + " · " + (c.packer || "-")));
      div.appendChild(el("div", when(c.started_at) + " · " + c.duration_s + " s · " + c.state + (c.flagged ? " · " + t("flagged") : "")));
      if (c.here) {
        var b = el("button", t("Play")); b.type = "button"; b.className = "play";
        b.addEventListener("click", function () { play(c); });
        div.appendChild(b);
      } else {
        div.appendChild(el("div", t("Clip not on the server yet"), "error"));
      }
      box.appendChild(div);
    });
    $("share-form").hidden = false;
    $("share-link").hidden = true;
  }
  function play(c) {
    currentClip = c;
    var src = "/floor/api/clips/" + c.id + "/file";
    playerWithMarks($("player"), $("marks"), src, c.marks);
    $("download").href = src + "?download=1";
    $("player-box").hidden = false;
    $("player").play().catch(function () { /* the browser may want a tap first */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyLang();
    $("lang").addEventListener("click", function () { switchLang(function () { if (last) { render(last); } }); });
    $("login").addEventListener("submit", function (e) {
      e.preventDefault();
      api("login", { method: "POST", body: { badge: $("badge").value, pin: $("pin").value } }).then(function (r) {
        $("pin").value = "";
        showFloor(r.supervisor.name);
      }).catch(function (err) { $("pin").value = ""; $("login-error").textContent = err.message; });
    });
    $("logout").addEventListener("click", function () { api("logout", { method: "POST", body: {} }).finally(function () { showLogin(""); }); });
    $("period").addEventListener("change", listen);
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.addEventListener("click", function () {
        document.querySelectorAll("#tabs button").forEach(function (o) { o.classList.toggle("on", o === b); });
        document.querySelectorAll(".tab").forEach(function (tab) { tab.hidden = tab.id !== "tab-" + b.getAttribute("data-tab"); });
      });
    });
    $("order-form").addEventListener("submit", function (e) {
      e.preventDefault(); $("order-error").textContent = "";
      api("order?no=" + encodeURIComponent($("order-no").value.trim())).then(function (r) { showOrder(r.details); })
        .catch(function (err) { $("order").replaceChildren(); $("order-error").textContent = err.message; });
    });
    $("clip-form").addEventListener("submit", function (e) {
      e.preventDefault(); $("clip-error").textContent = "";
      api("clips?q=" + encodeURIComponent($("clip-q").value.trim())).then(function (r) { showClips(r.clips); })
        .catch(function (err) { $("clip-error").textContent = err.message; });
    });
    $("share-form").addEventListener("submit", function (e) {
      e.preventDefault(); $("share-error").textContent = "";
      var num = function (id) { var v = $(id).value; return v === "" ? null : Number(v); };
      api("share", { method: "POST", body: { text: $("clip-q").value.trim(), pin: $("share-pin").value,
        reason: $("share-reason").value, days: num("share-days"), from_s: num("share-from"), to_s: num("share-to") } })
        .then(function (r) {
          $("share-pin").value = ""; $("share-link").value = r.link; $("share-link").hidden = false; $("share-link").select();
          $("share-revoke").hidden = false; $("share-revoked").textContent = "";
        })
        .catch(function (err) { $("share-pin").value = ""; $("share-error").textContent = err.message; });
    });
    $("share-revoke").addEventListener("click", function () {
      $("share-error").textContent = "";
      api("unshare", { method: "POST", body: { link: $("share-link").value, pin: $("share-pin").value } })
        .then(function () { $("share-pin").value = ""; $("share-revoke").hidden = true; $("share-revoked").textContent = t("Revoked"); })
        .catch(function (err) { $("share-pin").value = ""; $("share-error").textContent = err.message; });
    });
    api("me").then(function (me) { showFloor(me.supervisor.name); }).catch(function () { showLogin(""); });
  });
}());
