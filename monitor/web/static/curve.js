// A cycle's curve (monitor/web/curve_json.py): each probe, the setpoint, the hold windows
// shaded (green when the hold completed), the dips and interruptions marked.
"use strict";
(function () {
  const box = document.getElementById("curve");
  if (!box) return;
  const colours = ["#c0392b", "#2471a3", "#7d3c98", "#148f77", "#b9770e", "#566573"];

  function draw(data) {
    if (data.x.length === 0) {
      box.textContent = "—";
      return;
    }
    const minutes = data.x.map(function (s) { return s / 60; });
    const columns = [minutes];
    const series = [{ label: box.dataset.time }];
    data.series.forEach(function (s, i) {
      columns.push(s.values);
      series.push({ label: s.probe + (s.judged ? " *" : ""), stroke: colours[i % colours.length],
                    width: s.judged ? 2 : 1, spanGaps: false });
    });
    if (data.setpoint_c !== null) {
      columns.push(minutes.map(function () { return data.setpoint_c; }));
      series.push({ label: box.dataset.setpoint, stroke: "#27ae60", dash: [6, 4], width: 1 });
    }
    function shade(u) {
      const ctx = u.ctx;
      ctx.save();
      for (const [from, to, done] of data.holds) {
        const x0 = u.valToPos(from / 60, "x", true);
        const x1 = u.valToPos(to / 60, "x", true);
        ctx.fillStyle = done ? "rgba(39, 174, 96, 0.12)" : "rgba(230, 126, 34, 0.15)";
        ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      }
      for (const m of data.marks) {
        if (m.value_c === null) continue;
        const x = u.valToPos(m.t / 60, "x", true);
        const y = u.valToPos(m.value_c, "y", true);
        ctx.fillStyle = m.kind === "settling" ? "#b9770e" : "#c0392b";
        ctx.beginPath();
        ctx.arc(x, y, 4 * devicePixelRatio, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.restore();
    }
    const width = Math.min(box.clientWidth || 900, 1100);
    new uPlot({
      width: width, height: 360, series: series,
      scales: { x: { time: false } },
      axes: [{ label: box.dataset.time }, { label: "°C" }],
      hooks: { drawClear: [shade] },
    }, columns, box);
  }

  fetch(box.dataset.src, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(draw)
    .catch(function () { box.textContent = "—"; });
})();
