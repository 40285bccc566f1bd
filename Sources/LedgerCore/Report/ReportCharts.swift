/// The report's charts as inline SVG (drawn with ``SVG``; colours and fonts come from the page's CSS).
enum ReportCharts {
    /// One bar of a plan-vs-actual chart: the budget is 100 %.
    struct BarRow {
        var label: String
        var budget: Int64
        var consumed: Int64
        var committed: Int64
        var forecast: Int64
        /// The budget is a minimum to reach (prevention), not a maximum.
        var isMinimum: Bool
        /// CSS class of the consumed part.
        var cls: String
    }

    static func potClass(_ f: Funding) -> String { "pot-\(f.rawValue)" }

    static func potName(_ f: Funding) -> String {
        switch f {
        case .personalisiert: "Personalisiert"
        case .variabel: "Variabel"
        case .asd: "ASD"
        case .praevention: "Prävention"
        }
    }

    /// Horizontal bars, each scaled to its own budget (= 100 %): consumed, committed, the
    /// straight-line forecast as a marker, and the share of the year elapsed as a dashed line.
    static func budgetBars(_ rows: [BarRow], elapsedBasisPoints: Int64, width: Int, labelWidth: Int, label: String) -> String {
        let x0 = labelWidth, barW = width - 16 - labelWidth
        let top = 26, rowH = 46, barH = 16
        func bp(_ v: Int64, _ of: Int64) -> Int64 { of > 0 ? Money.share(v, 10_000, of) : 0 }
        var maxBP: Int64 = 10_000
        for r in rows where r.budget > 0 {
            maxBP = max(maxBP, bp(r.forecast, r.budget), bp(r.consumed + r.committed, r.budget))
        }
        maxBP = min((maxBP + 2_499) / 2_500 * 2_500, 20_000)
        func px(_ b: Int64) -> Int { x0 + SVG.scale(min(max(b, 0), maxBP), of: maxBP, onto: barW) }
        let bottom = top + rows.count * rowH
        var svg = SVG(width: width, height: bottom + 52, label: label)

        // Axis: every 25 % (or 50 % on a wide scale), 100 % drawn strong.
        let tick: Int64 = maxBP > 15_000 ? 5_000 : 2_500
        var t: Int64 = 0
        while t <= maxBP {
            svg.line(px(t), top - 6, px(t), bottom - 8, t == 10_000 ? "grid full" : "grid")
            svg.text(px(t), bottom + 6, Format.percentAxis(t), "axis", anchor: .middle)
            t += tick
        }
        if elapsedBasisPoints < 9_800 {
            svg.line(px(elapsedBasisPoints), top - 10, px(elapsedBasisPoints), bottom - 8, "elapsed")
            svg.text(px(elapsedBasisPoints), top - 14, "Zeitanteil \(Format.percentShort(elapsedBasisPoints))", "axis", anchor: .middle)
        }

        for (i, r) in rows.enumerated() {
            let y = top + i * rowH
            svg.text(0, y + 13, r.label, "lbl")
            guard r.budget > 0 else {
                svg.text(x0, y + 13, "kein Budget gesetzt", "small")
                continue
            }
            let used = bp(r.consumed, r.budget), bound = bp(r.consumed + r.committed, r.budget), fc = bp(r.forecast, r.budget)
            svg.rect(x0, y, px(10_000) - x0, barH, "track")
            svg.rect(x0, y, px(used) - x0, barH, r.cls, title: "verbraucht \(Format.euro(r.consumed))")
            if r.committed > 0 {
                svg.rect(px(used), y, px(bound) - px(used), barH, r.cls + " committed", title: "gebunden \(Format.euro(r.committed))")
            }
            let bad = r.isMinimum ? fc < 10_000 : fc > 10_000
            let x = px(fc)
            svg.line(x, y - 4, x, y + barH + 4, bad ? "fc bad" : "fc")
            svg.polygon([(x - 5, y - 10), (x + 5, y - 10), (x, y - 3)], bad ? "fcm bad" : "fcm")
            var note = "verbraucht \(Format.percentShort(used))"
            if r.committed > 0 { note += " · gebunden \(Format.percentShort(bound - used))" }
            note += " · Prognose \(Format.percentShort(fc))"
            if r.isMinimum { note += " (Ziel: mindestens 100 %)" }
            svg.text(x0, y + barH + 15, note, bad ? "small bad" : "small")
        }
        legend(&svg, y: bottom + 26, width: width, items: [
            ("swatch legend-consumed", "verbraucht"), ("swatch legend-consumed committed", "gebunden (bewilligt, noch offen)"),
            ("marker", "Prognose Jahresende"), ("dash", "Zeitanteil des Jahres"),
        ])
        return svg.markup
    }

    /// Columns per quarter: consumption stacked by pot for the quarters so far, the straight-line
    /// forecast for the rest, and the plan (Gesamtfinanzvolumen pro rata by days) as a step line.
    static func quarterColumns(_ area: QuarterlyReport.Area, quarter: Int, width: Int, label: String) -> String {
        let x0 = 62, x1 = width - 8, top = 18, plotH = 160
        let slot = (x1 - x0) / 4, colW = slot * 9 / 20
        func stack(_ q: Int) -> Int64 { area.consumedByQuarter[q].values.reduce(0, +) }
        var maxV: Int64 = 1
        for q in 0..<area.consumedByQuarter.count { maxV = max(maxV, stack(q)) }
        for v in area.projectedByQuarter + area.planByQuarter { maxV = max(maxV, v) }
        let step = SVG.niceStep(maxV)
        let axisMax = (maxV / step + 1) * step
        func y(_ v: Int64) -> Int { top + plotH - SVG.scale(min(v, axisMax), of: axisMax, onto: plotH) }
        var svg = SVG(width: width, height: top + plotH + 70, label: label)
        var v: Int64 = 0
        while v <= axisMax {
            svg.line(x0, y(v), x1, y(v), v == 0 ? "grid full" : "grid")
            svg.text(x0 - 6, y(v) + 4, Format.euroThousands(v), "axis", anchor: .end)
            v += step
        }
        for q in 0..<4 {
            let cx = x0 + q * slot + slot / 2
            let left = cx - colW / 2
            if q < area.consumedByQuarter.count {
                var base: Int64 = 0
                for f in Funding.allCases {
                    let value = area.consumedByQuarter[q][f] ?? 0
                    guard value > 0 else { continue }
                    svg.rect(left, y(base + value), colW, y(base) - y(base + value), potClass(f),
                             title: "Q\(q + 1) \(potName(f)): \(Format.euro(value))")
                    base += value
                }
                svg.text(cx, y(base) - 5, Format.euroThousands(base), "val", anchor: .middle)
                svg.text(cx, top + plotH + 16, "Q\(q + 1)", "axis", anchor: .middle)
            } else {
                let p = area.projectedByQuarter[q - area.consumedByQuarter.count]
                svg.rect(left, y(p), colW, y(0) - y(p), "proj", title: "Q\(q + 1) Prognose: \(Format.euro(p))")
                svg.text(cx, y(p) - 5, Format.euroThousands(p), "val muted", anchor: .middle)
                svg.text(cx, top + plotH + 16, "Q\(q + 1) (Prognose)", "axis", anchor: .middle)
            }
            if q < area.planByQuarter.count {
                svg.line(x0 + q * slot + 4, y(area.planByQuarter[q]), x0 + (q + 1) * slot - 4, y(area.planByQuarter[q]), "plan")
            }
        }
        var items = Funding.allCases.map { ("swatch " + potClass($0), potName($0)) }
        items.append(("planline", "Plan (GFV anteilig)"))
        if quarter < 4 { items.append(("swatch proj", "Prognose")) }
        legend(&svg, y: top + plotH + 40, width: width, items: items)
        return svg.markup
    }

    /// Prevention and network work against the 10 % minimum: the share of team minutes in the
    /// quarter and the prevention pot's year-end forecast as a share of the Sozialraumfinanzvolumen.
    static func preventionBars(_ areas: [QuarterlyReport.Area], width: Int, label: String) -> String {
        let x0 = 200, barW = width - x0 - 70, top = 30, rowH = 44
        var maxBP: Int64 = 2_000
        for a in areas {
            maxBP = max(maxBP, a.teamShareBasisPoints ?? 0, a.preventionForecastShareBasisPoints ?? 0)
        }
        maxBP = min((maxBP + 999) / 1_000 * 1_000, 10_000)
        func px(_ b: Int64) -> Int { x0 + SVG.scale(min(max(b, 0), maxBP), of: maxBP, onto: barW) }
        let bottom = top + areas.count * rowH
        var svg = SVG(width: width, height: bottom + 54, label: label)
        let tick: Int64 = maxBP > 5_000 ? 2_000 : (maxBP > 2_000 ? 1_000 : 500)
        var t: Int64 = 0
        while t <= maxBP {
            svg.line(px(t), top - 6, px(t), bottom - 6, "grid")
            svg.text(px(t), bottom + 8, Format.percentAxis(t), "axis", anchor: .middle)
            t += tick
        }
        svg.line(px(1_000), top - 12, px(1_000), bottom - 4, "target")
        svg.text(px(1_000) + 4, top - 14, "Mindestanteil 10 % (§ 3.3)", "axis bad")
        for (i, a) in areas.enumerated() {
            let y = top + i * rowH
            svg.text(0, y + 17, a.name, a.sozialraum == nil ? "lbl strong" : "lbl")
            for (j, (value, cls, what)) in [(a.teamShareBasisPoints, "share-hours", "Teamstunden"),
                                            (a.preventionForecastShareBasisPoints, "share-money", "Mittel")].enumerated() {
                let by = y + j * 15
                if let value {
                    svg.rect(x0, by, px(value) - x0, 12, cls, title: "\(what): \(Format.percentShort(value))")
                    svg.text(px(value) + 5, by + 10, Format.percentShort(value), value < 1_000 ? "small bad" : "small")
                } else {
                    svg.text(x0, by + 10, "\(what): nicht ausgewiesen", "small muted")
                }
            }
        }
        legend(&svg, y: bottom + 30, width: width, items: [
            ("swatch share-hours", "Anteil Prävention und Netzwerk an den Teamstunden im Quartal"),
            ("swatch share-money", "Präventionsmittel: Jahresprognose ÷ Sozialraumfinanzvolumen"),
        ])
        return svg.markup
    }

    /// A legend in one or more lines: a swatch, a marker or a line sample, then the text.
    static func legend(_ svg: inout SVG, y: Int, width: Int, items: [(String, String)]) {
        var x = 0, line = 0
        for (cls, text) in items {
            let w = 22 + text.count * 6 + 14
            if x > 0, x + w > width { x = 0; line += 1 }
            let ly = y + line * 18
            switch cls {
            case "marker":
                svg.polygon([(x + 2, ly - 10), (x + 12, ly - 10), (x + 7, ly - 3)], "fcm")
                svg.line(x + 7, ly - 3, x + 7, ly + 3, "fc")
            case "dash": svg.line(x + 7, ly - 11, x + 7, ly + 3, "elapsed")
            case "planline": svg.line(x, ly - 4, x + 14, ly - 4, "plan")
            default: svg.rect(x, ly - 10, 14, 12, cls.hasPrefix("swatch ") ? String(cls.dropFirst(7)) : cls)
            }
            svg.text(x + 20, ly, text, "small")
            x += w
        }
    }
}

