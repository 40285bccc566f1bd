extension QuarterlyReport {
    /// One self-contained, printable HTML page: inline CSS (with print rules), charts as inline
    /// SVG, no JavaScript, no external resources. Every text is escaped.
    public var html: String {
        var out = ""
        func add(_ s: String) { out += s; out += "\n" }
        func esc(_ s: String) -> String { HTML.escape(s) }
        /// A numbered section: its heading (HTML, escaped by the caller), then what `body` adds.
        func section(_ id: String, _ heading: String, _ body: () -> Void) {
            add("<section id=\"\(id)\">")
            add("<h2>\(heading)</h2>")
            body()
            add("</section>")
        }
        /// A remark under a table (HTML, escaped by the caller).
        func note(_ text: String) { add("<p class=\"note\">\(text)</p>") }
        /// A table, or in its place the note why there is none (`empty` not nil).
        func table(_ t: @autoclosure () -> ReportTable, or empty: String?) {
            if let empty { note(empty) } else { add(Self.htmlTable(t())) }
        }
        /// A chart with its caption (HTML, escaped by the caller).
        func figure(_ svg: String, caption: String) {
            add("<figure>")
            add(svg)
            add("<figcaption>\(caption)</figcaption>")
            add("</figure>")
        }

        add("<!DOCTYPE html>")
        add("<html lang=\"de\">")
        add("<head>")
        add("<meta charset=\"utf-8\">")
        add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        add("<title>\(esc(title))</title>")
        add("<style>\(Self.css)</style>")
        add("</head>")
        add("<body>")
        add("<main>")
        add("<header>")
        add("<p class=\"kicker\">Sozialraumorientierte Jugendhilfe · Bericht an die Lenkungsgruppe</p>")
        add("<h1>\(esc(title))</h1>")
        add("<p class=\"meta\">Berichtszeitraum \(esc(periodText)) · Haushaltsjahr \(year), kumuliert bis \(esc(Format.date(periodEnd)))<br>"
            + "\(esc(closedText)) · Datenstand: \(esc(standText))</p>")
        add("</header>")

        add("<section class=\"kpis\" aria-label=\"Kennzahlen\">")
        for k in keyFigures {
            add("<div class=\"kpi\(k.tone.isEmpty ? "" : " " + k.tone)\"><div class=\"l\">\(esc(k.label))</div><div class=\"v\">\(esc(k.value))</div><div class=\"s\">\(esc(k.detail))</div></div>")
        }
        add("</section>")

        section("ueberblick", "1. Plan und Ist nach Sozialraum") {
            add(Self.htmlTable(overviewTable))
            let overviewRows = areas.map { a in
                ReportCharts.BarRow(label: a.name, budget: a.gesamtCents, consumed: a.consumedCents,
                                    committed: a.pots.reduce(0) { $0 + $1.committedCents }, forecast: a.forecastCents, isMinimum: false, cls: "area-bar")
            } + [ReportCharts.BarRow(label: district.name, budget: district.gesamtCents, consumed: district.consumedCents,
                                     committed: district.pots.reduce(0) { $0 + $1.committedCents }, forecast: district.forecastCents,
                                     isMinimum: false, cls: "area-bar total-bar")]
            figure(ReportCharts.budgetBars(overviewRows, elapsedBasisPoints: elapsedBasisPoints, width: 920, labelWidth: 210,
                                           label: "Verbrauch und Jahresprognose je Sozialraum, in Prozent des Gesamtfinanzvolumens"),
                   caption: "Balken: verbraucht seit 1. Januar (voll) und gebunden (hell), je Sozialraum in Prozent des Gesamtfinanzvolumens; Dreieck: lineare Jahresprognose; gestrichelt: Anteil des Jahres bis \(esc(Format.date(periodEnd))).")
        }

        section("sozialraeume", "2. Sozialräume: Töpfe, Verbrauch, Prognose") {
            for a in areas {
                add("<article class=\"area\">")
                add("<h3>\(esc(a.name))</h3>")
                if !a.hasBudget {
                    add("<p class=\"note\">Für \(year) ist kein Gesamtfinanzvolumen gesetzt (BudgetSet fehlt).</p>")
                }
                add("<div class=\"split-grid\">")
                add(Self.htmlTable(splitsTable(a), cls: "compact"))
                figure(ReportCharts.quarterColumns(a, quarter: quarter, width: 520,
                                                   label: "Verbrauch je Quartal in \(a.name), nach Topf, mit Plan und Prognose"),
                       caption: "Verbrauch je Quartal nach Topf; gestrichelte Linie: Gesamtfinanzvolumen anteilig nach Tagen; helle Säulen: lineare Prognose.")
                add("</div>")
                add(Self.htmlTable(potsTable(a)))
                figure(ReportCharts.budgetBars(a.pots.map { p in
                    ReportCharts.BarRow(label: p.funding.displayName, budget: p.budgetCents, consumed: p.consumedCents,
                                        committed: p.committedCents, forecast: p.forecastCents, isMinimum: p.isMinimum,
                                        cls: ReportCharts.potClass(p.funding))
                }, elapsedBasisPoints: elapsedBasisPoints, width: 920, labelWidth: 180,
                   label: "Töpfe in \(a.name): verbraucht, gebunden und Jahresprognose in Prozent des Budgets"),
                       caption: "Je Topf in Prozent seines Budgets. Beim Präventionstopf ist das Budget ein Mindestbetrag: die Prognose soll 100 % erreichen.")
                if let note = closingNote(a) { add("<p class=\"note\">\(esc(note))</p>") }
                let own = flags.filter { $0.scope == a.name }
                if !own.isEmpty {
                    add("<ul class=\"flags\">")
                    for f in own { add(Self.htmlFlag(f, withScope: false)) }
                    add("</ul>")
                }
                add("</article>")
            }
        }

        section("praevention", "3. Prävention und Netzwerkarbeit (mindestens 10 %)") {
            add(Self.htmlTable(preventionTable))
            figure(ReportCharts.preventionBars(areas + [district], width: 920,
                                               label: "Anteil der Prävention und Netzwerkarbeit je Sozialraum gegen den Mindestanteil von 10 %"),
                   caption: "Teamstunden: Prävention und Netzwerk ÷ alle Teamstunden im Quartal. Mittel: Jahresprognose des Präventionstopfs ÷ Sozialraumfinanzvolumen. Rote Linie: Mindestanteil 10 % (§ 3.3).")
        }

        section("stunden", "4. Fachleistungsstunden je Hilfeart und Träger (Q\(quarter)/\(year))") {
            table(hoursTable, or: hours.isEmpty ? "Im Quartal wurden keine Stunden bewilligt oder geleistet." : nil)
            note("Bewilligt: die Stunden laufender Kontrakte, nach Tagen auf die Quartale verteilt. Geleistet: gebuchte Stunden mit Leistungsdatum im Quartal. Jede Zeile beruht auf mindestens 5 Kontrakten; kleinere sind zusammengefasst.")
        }

        section("faelle", "5. Hilfen (Kontrakte) je Hilfeart und Sozialraum (Q\(quarter)/\(year))") {
            add("<div class=\"two\">")
            add(Self.htmlTable(casesTable(casesByHilfeart, casesByHilfeartTotal, first: "Hilfeart")))
            add(Self.htmlTable(casesTable(casesByArea, casesByAreaTotal, first: "Sozialraum")))
            add("</div>")
            note("Laufend: Kontrakte, die im Quartal laufen; begonnen und beendet: Beginn bzw. letzter Tag im Quartal. Wechsel der Hilfeart im Quartal: \(esc(Suppression.cell(hilfeartChanges).text)).")
        }

        section("stellen", "6. Stellen: vereinbart und besetzt (Stand \(esc(Format.date(periodEnd))))") {
            table(postsTable, or: posts.isEmpty ? "Keine Vereinbarungen mit Planstellen im Quartal." : nil)
            if !posts.isEmpty, !posts.contains(where: \.staffKnown) {
                note("k. A.: Die Besetzung der Stellen führt jeder Träger in seinem eigenen Ledger; das Ledger des Jugendamts kennt nur die vereinbarten Planstellen.")
            }
        }

        section("abgleich", "7. Doppelcontrolling: Abgleich Q\(quarter)/\(year) \(counterpartyNoun.phrase)") {
            table(reconciliationTable, or: reconciliation.isEmpty ? "Keine Vereinbarung in Kraft; nichts abzugleichen." : nil)
            note("Aus den im Ledger erfassten Abgleichen (ReconciliationRecorded). Stand: die verglichenen Datensätze beider Ledger; der Berichts-Hash weist den vollständigen Abgleichbericht nach.")
        }

        section("hinweise", "8. Hinweise") {
            if flags.isEmpty {
                add("<p>Keine Hinweise.</p>")
            } else {
                add("<ul class=\"flags\">")
                for f in flags { add(Self.htmlFlag(f, withScope: true)) }
                add("</ul>")
            }
        }

        add("<footer>")
        add("<p>\(esc(Self.suppressionNote))</p>")
        add("<p>Beträge in Euro, kaufmännisch auf den Cent gerundet; Stunden mit einer Nachkommastelle. Auslastung = verbraucht ÷ Budget; Jahresprognose = Verbrauch seit 1. Januar × Tage des Jahres ÷ vergangene Tage. Formeln: docs/BUDGET.md.</p>")
        add("<p>Quelle: Ledger \(esc(ledger)), \(esc(standText)), Kopf-Hash \(esc(headHash.hex)). Erstellt mit doppelledger report.</p>")
        add("</footer>")
        add("</main>")
        add("</body>")
        add("</html>")
        return out
    }

    static func htmlFlag(_ f: Flag, withScope: Bool) -> String {
        let cls = f.severity == .warnung ? "b-warn" : "b-info"
        let scope = withScope ? "<span class=\"scope\">\(HTML.escape(f.scope)):</span> " : ""
        return "<li><span class=\"badge \(cls)\">\(f.severity.rawValue)</span> \(scope)\(HTML.escape(f.text))</li>"
    }

    static func htmlTable(_ t: ReportTable, cls: String = "") -> String {
        var out = "<table\(cls.isEmpty ? "" : " class=\"\(cls)\"")><thead><tr>"
        for (i, h) in t.headers.enumerated() {
            out += "<th\(t.numeric.contains(i) ? " class=\"n\"" : "")>\(HTML.escape(h))</th>"
        }
        out += "</tr></thead><tbody>"
        for row in t.rows {
            let rowClass = row.kind == .total ? " class=\"total\"" : (row.kind == .subtotal ? " class=\"subtotal\"" : "")
            out += "<tr\(rowClass)>"
            for (i, c) in row.cells.enumerated() {
                let indent = c.hasPrefix("  ")
                var classes: [String] = []
                if t.numeric.contains(i) { classes.append("n") }
                if indent { classes.append("indent") }
                let text = HTML.escape(indent ? String(c.dropFirst(2)) : c)
                let content = row.badges[i].map { "<span class=\"badge \($0)\">\(text)</span>" } ?? text
                out += "<td\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>\(content)</td>"
            }
            out += "</tr>"
        }
        out += "</tbody></table>"
        return out
    }

    static let css = """
    @page { size: A4; margin: 12mm 11mm; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #eef1f4; color: #1f2933; font: 14px/1.45 "Liberation Sans", Arial, "DejaVu Sans", sans-serif; }
    main { max-width: 1000px; margin: 0 auto; background: #fff; padding: 28px 40px 36px; }
    header { border-bottom: 3px solid #1d4e89; padding-bottom: 10px; margin-bottom: 18px; }
    .kicker { margin: 0; color: #52606d; font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
    h1 { margin: 4px 0 6px; font-size: 26px; color: #1d4e89; }
    .meta { margin: 0; color: #52606d; font-size: 13px; }
    h2 { font-size: 19px; color: #1d4e89; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #c7d0da; }
    h3 { font-size: 16px; margin: 22px 0 8px; }
    .kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; }
    .kpi { border: 1px solid #d9dee5; border-left: 5px solid #1d4e89; border-radius: 4px; padding: 8px 12px; }
    .kpi.ok { border-left-color: #2a9d6f; background: #eef8f2; } .kpi.warn { border-left-color: #d97706; background: #fdf5e6; }
    .kpi.ok .v { color: #1e6b3a; } .kpi.warn .v { color: #8a4b00; }
    .kpi .l { font-size: 11.5px; color: #52606d; text-transform: uppercase; letter-spacing: .04em; }
    .kpi .v { font-size: 20px; font-weight: 700; margin: 2px 0; white-space: nowrap; }
    .kpi .s { font-size: 12px; color: #52606d; }
    table { width: 100%; border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; margin: 6px 0 10px; }
    th, td { padding: 4px 7px; border-bottom: 1px solid #e1e6ec; text-align: left; vertical-align: top; }
    thead th { background: #eef2f7; font-weight: 700; border-bottom: 1px solid #b8c2cc; }
    th.n, td.n { text-align: right; } td.n { white-space: nowrap; }
    td.indent { padding-left: 20px; }
    td:first-child { white-space: nowrap; }
    tr.subtotal td { font-style: italic; background: #f7f9fb; }
    tr.total td { font-weight: 700; border-top: 2px solid #52606d; border-bottom: 2px solid #52606d; }
    table.compact { font-size: 12.5px; }
    .split-grid { display: grid; grid-template-columns: 5fr 6fr; gap: 18px; align-items: start; }
    .two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; align-items: start; }
    figure { margin: 8px 0 12px; }
    figcaption { font-size: 11.5px; color: #52606d; margin-top: 2px; }
    svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
    svg text { fill: #1f2933; }
    svg .small, svg .axis, svg .val { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
    svg .lbl { font-size: 13px; } svg .strong { font-weight: 700; }
    svg .small { font-size: 11.5px; fill: #52606d; } svg .axis { font-size: 11px; fill: #52606d; }
    svg .val { font-size: 11.5px; font-weight: 700; } svg .muted { fill: #7b8794; } svg .bad { fill: #b42318; }
    svg .track { fill: #e6eaef; } svg .grid { stroke: #e1e6ec; stroke-width: 1; } svg .grid.full { stroke: #52606d; stroke-width: 1.5; }
    svg .elapsed { stroke: #3e4c59; stroke-width: 1.5; stroke-dasharray: 5 4; }
    svg .committed { fill-opacity: .35; }
    svg .fc { stroke: #c2410c; stroke-width: 3; } svg .fc.bad { stroke: #b42318; }
    svg .fcm { fill: #c2410c; } svg .fcm.bad { fill: #b42318; }
    svg .plan { stroke: #c2410c; stroke-width: 2.5; stroke-dasharray: 7 4; }
    svg .target { stroke: #b42318; stroke-width: 2; stroke-dasharray: 6 3; }
    svg .proj { fill: #f3f5f8; stroke: #7b8794; stroke-width: 1.2; stroke-dasharray: 4 3; }
    .pot-personalisiert { fill: #1d4e89; } .pot-variabel { fill: #4c8fd1; } .pot-asd { fill: #7b5ea7; } .pot-praevention { fill: #2a9d6f; }
    .legend-consumed, .area-bar { fill: #2f5d8a; } .total-bar { fill: #1f2933; }
    .share-hours { fill: #2a9d6f; } .share-money { fill: #9fd6bb; }
    .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px; font-weight: 700; white-space: nowrap; }
    .b-ok { background: #e3f4ea; color: #1e6b3a; } .b-warn { background: #fdf0d5; color: #8a4b00; }
    .b-bad { background: #fde7e7; color: #9b1c1c; } .b-info { background: #e6eef8; color: #1d4e89; }
    ul.flags { list-style: none; padding: 0; margin: 8px 0; }
    ul.flags li { padding: 4px 0; border-bottom: 1px dotted #d9dee5; font-size: 13px; }
    .scope { font-weight: 700; }
    .note { font-size: 12px; color: #52606d; margin: 4px 0 8px; }
    article.area { border-top: 1px solid #e1e6ec; margin-top: 10px; }
    article.area:first-of-type { border-top: 0; }
    footer { margin-top: 28px; padding-top: 8px; border-top: 1px solid #c7d0da; font-size: 11px; color: #52606d; }
    footer p { margin: 4px 0; }
    @media screen and (max-width: 760px) { .kpis { grid-template-columns: 1fr 1fr; } .split-grid, .two { grid-template-columns: 1fr; } main { padding: 16px; } }
    @media print {
      body { background: #fff; font-size: 10.5px; }
      main { max-width: none; padding: 0; }
      .kpis { grid-template-columns: repeat(3, 1fr); }
      h2, h3 { break-after: avoid; }
      #sozialraeume, article.area + article.area, #praevention { break-before: page; }
      article.area { border-top: 0; }
      .split-grid { grid-template-columns: 5fr 6fr; }
      figure, tr, .kpi, ul.flags li, .split-grid { break-inside: avoid; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }
    """
}
