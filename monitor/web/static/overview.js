// The overview's live values: the server sends a snapshot when something changes
// (monitor/web/overview.py); this only puts its texts in place, so no reload is needed.
"use strict";
(function () {
  const labels = document.getElementById("labels").dataset;
  const live = document.getElementById("live");

  function setText(root, field, text) {
    const el = root.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== text) el.textContent = text;
  }

  function cycleText(c) {
    if (!c) return labels.noCycle;
    let text = c.program + " · " + c.phase_text;
    if (c.hold_left_s !== null) text += " · " + labels.holdLeft + " " + c.left_text;
    return text;
  }

  function showBanner(snap) {
    const banner = document.getElementById("banner");
    banner.classList.toggle("hidden", snap.banner.length === 0);
    document.getElementById("banner-text").textContent = snap.banner_text;
    const list = document.getElementById("banner-list");
    list.replaceChildren(...snap.banner.map(function (a) {
      const li = document.createElement("li");
      li.className = "p" + a.priority;
      if (labels.link === "1") {
        const link = document.createElement("a");
        link.href = "/alarms/" + a.key;
        link.textContent = a.key;
        li.append(link);
      } else {
        li.append(a.key);
      }
      if (a.cause_text) {
        const kind = document.createElement("strong");
        kind.textContent = a.cause_text;
        li.append(" — ", kind);
      }
      const recorded = document.createElement("span");
      recorded.lang = "en";
      recorded.textContent = a.message;
      li.append(" — ", recorded);
      return li;
    }));
  }

  function show(snap) {
    for (const tile of snap.tiles) {
      const el = document.querySelector('[data-tile="' + CSS.escape(tile.id) + '"]');
      if (!el) continue;
      el.className = "tile state-" + tile.state;
      setText(el, "state", tile.state_text);
      for (const p of tile.probes) {
        const row = el.querySelector('[data-probe="' + CSS.escape(p.probe) + '"]');
        if (!row) continue;
        setText(row, "value", p.value_text);
        setText(row, "age", p.age_text);
        setText(row, "pstate", p.state_text);
      }
      if (tile.kind === "pasteuriser") setText(el, "cycle", cycleText(tile.cycle));
    }
    showBanner(snap);
  }

  // Opened once the page has loaded: a stream opened before keeps the page "loading".
  window.addEventListener("load", function () {
  const source = new EventSource("/events");
  source.onmessage = function (event) {
    live.textContent = live.dataset.ok;
    live.className = "";
    show(JSON.parse(event.data));
  };
  source.addEventListener("signed_out", function () {
    source.close();
    window.location.reload(); // the guard sends the sign-in page
  });
  source.onerror = function () {
    live.textContent = live.dataset.lost;
    live.className = "lost";
  };
  });
})();
