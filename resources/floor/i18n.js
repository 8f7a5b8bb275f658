/* The page's two languages: English source strings, their Chinese here. The browser's language
   picks one (zh* -> Chinese); the switch keeps the choice in localStorage. Text only: every string
   goes into textContent, placeholder or title, never into HTML. */
"use strict";
var PG_ZH = {
  "PackGate floor": "PackGate 车间", "Log out": "退出", "Supervisor login": "主管登录", "Badge": "工牌",
  "PIN": "PIN 码", "Log in": "登录", "Shift": "本班", "Orders": "订单", "Evidence": "视频证据", "Period": "时段",
  "Today": "今天", "Yesterday": "昨天", "This week": "本周", "Everything": "全部", "connecting": "连接中",
  "live": "实时", "offline": "已断开", "Platform and ship-by": "平台与发货时限", "Exceptions": "异常",
  "Ready orders by ship-by": "待打包订单（按发货时限）", "By carrier": "按快递", "By packer": "按打包员",
  "By bench": "按工位", "Order number or waybill": "订单号或运单号", "Show": "查看", "Find clips": "查找视频",
  "Download": "下载", "Share link for a dispute": "纠纷分享链接", "Reason": "原因", "Days": "天数",
  "From (s)": "起 (秒)", "To (s)": "止 (秒)", "Your PIN": "您的 PIN 码", "Make link": "生成链接",
  "Packing evidence": "打包视频证据", "This link is not valid: it expired or was revoked.": "此链接无效：已过期或已撤销。",
  "Order": "订单", "valid until": "有效期至", "Evidence sheet (PDF)": "证据单 (PDF)",
  "Ready": "待打包", "Packing": "打包中", "Packed, awaiting pickup": "已打包待揽收", "On hold": "暂停",
  "Cancelled": "已取消", "Late": "超时", "Packed without waybill": "无运单已打包", "Packed in period": "时段内打包",
  "Handed over": "已交接", "Not on the platform": "未回传平台", "Platform failed": "平台回传失败",
  "Late to the platform": "回传平台超时", "Due soon": "即将到期", "Overdue": "已逾期",
  "Not picked up in time": "超时未揽收", "Parcels left behind": "遗留包裹", "Labels reprinted": "补打面单",
  "Waybills unlinked": "解绑运单", "none": "无", "Time": "时间", "Bench": "工位",
  "Packer": "打包员", "Scan": "扫描", "Kind": "类型", "Result": "结果", "ok": "通过", "refused": "拒绝",
  "State": "状态", "Carrier": "快递", "Waybill": "运单号", "Shop": "店铺", "Ship by": "发货时限",
  "Created": "创建", "Packed": "打包", "Platform": "平台", "Note": "备注", "Recipient": "收件人",
  "Orders (n)": "订单数", "Items": "件数", "Median (s)": "中位 (秒)", "Refused": "拒绝率", "Awaiting pickup": "待揽收",
  "Open manifests": "未关交接单", "Play": "播放", "Lines": "明细", "Timeline": "时间线", "Parcels": "包裹",
  "Detail": "说明", "Name": "品名", "Qty": "数量", "Scanned": "已扫", "Box": "箱型", "Clip not on the server yet": "视频尚未上传到服务器", "No clips found": "未找到视频",
  "Wrong badge or PIN": "工牌或 PIN 码错误", "Session ended: log in again": "会话已结束，请重新登录",
  "Link made (copy it):": "链接已生成（请复制）：", "updated": "更新于", "cut": "片段", "seconds": "秒",
  "flagged": "已标记保留", "Revoke this link (your PIN above)": "撤销此链接（先在上方输入 PIN）", "Revoked": "已撤销",
  /* The server's refusals of a PIN (their templates, as the window's translations have them). */
  "Unknown badge {badge}": "未知工牌 {badge}", "{name} is not a supervisor": "{name} 不是主管",
  "Wrong PIN ({left} tries left)": "PIN 码错误（还剩 {left} 次）",
  "Wrong PIN: {name} is locked for {minutes} minutes": "PIN 码错误：{name} 被锁定 {minutes} 分钟",
  "{name} is locked after too many wrong PINs until {until}": "{name} 因 PIN 码错误次数过多被锁定，至 {until}",
  "Too many wrong PINs at this bench: PIN entry is closed for {minutes} minutes": "本工作台输错 PIN 次数过多：{minutes} 分钟内不能输入 PIN",
  "Unknown badge (digits not shown: scan your badge first, then type the PIN)": "未知工牌（数字不显示：请先扫工牌，再输入 PIN）"
};
var PG_LANG = (function () {
  var saved = null;
  try { saved = localStorage.getItem("packgate-lang"); } catch (e) { saved = null; }
  if (saved === "zh" || saved === "en") { return saved; }
  return (navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
}());
function t(text) { return PG_LANG === "zh" && PG_ZH[text] ? PG_ZH[text] : text; }
/* A refusal the server sent as a template and its values: in the page's language when it has it. */
function message(m, fallback) {
  if (!m || typeof m.template !== "string") { return fallback; }
  var params = m.params || {};
  return t(m.template).replace(/\{(\w+)\}/g, function (all, key) { return key in params ? String(params[key]) : all; });
}
function applyLang() {
  document.documentElement.lang = PG_LANG === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.getAttribute("data-t")); });
  document.querySelectorAll("[data-tp]").forEach(function (el) { el.placeholder = t(el.getAttribute("data-tp")); });
  var button = document.getElementById("lang");
  if (button) { button.textContent = PG_LANG === "zh" ? "English" : "中文"; }
}
function switchLang(after) {
  PG_LANG = PG_LANG === "zh" ? "en" : "zh";
  try { localStorage.setItem("packgate-lang", PG_LANG); } catch (e) { /* private mode: this page only */ }
  applyLang();
  if (after) { after(); }
}
/* An element with text: the one way this page puts shop data on screen. */
function el(tag, text, cls) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  if (cls) { node.className = cls; }
  return node;
}
function when(iso) {
  if (!iso) { return "-"; }
  var d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(PG_LANG === "zh" ? "zh-CN" : undefined);
}
function table(headers, rows) {
  var tab = el("table"), head = el("tr");
  headers.forEach(function (h) { head.appendChild(el("th", t(h))); });
  tab.appendChild(head);
  rows.forEach(function (row) {
    var tr = el("tr");
    if (row.cls) { tr.className = row.cls; }
    (row.cells || row).forEach(function (c) { tr.appendChild(el("td", c === null || c === undefined ? "-" : c)); });
    tab.appendChild(tr);
  });
  return tab;
}
function playerWithMarks(video, box, src, marks) {
  box.replaceChildren();
  video.src = src;
  (marks || []).forEach(function (m) {
    if (typeof m.t !== "number") { return; }
    var b = el("button", m.t.toFixed(1) + " s " + (m.kind || "") + " " + (m.code || ""));
    b.type = "button";
    b.className = "mark";
    b.setAttribute("data-t-seconds", String(m.t));
    b.addEventListener("click", function () { video.currentTime = m.t; video.play().catch(function () {}); });
    box.appendChild(b);
  });
}
