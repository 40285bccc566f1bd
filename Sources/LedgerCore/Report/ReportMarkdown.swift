extension QuarterlyReport {
    /// The same content as ``html`` as Markdown tables (GitHub flavour), without charts.
    public var markdown: String {
        var out: [String] = []
        out.append("# \(Self.mdText(title))")
        out.append("")
        out.append("Berichtszeitraum \(periodText) · Haushaltsjahr \(year), kumuliert bis \(Format.date(periodEnd))  ")
        out.append("\(closedText) · Datenstand: \(standText)")
        out.append("")
        out.append("> Diagramme enthält die HTML-Fassung (`--format html`); die Zahlen sind dieselben.")
        out.append("")
        out.append("## Kennzahlen")
        out.append("")
        out.append(Self.mdTable(ReportTable(headers: ["Kennzahl", "Wert", "Erläuterung"], numeric: [],
                                            rows: keyFigures.map { .init(cells: [$0.label, $0.value, $0.detail]) })))
        out.append("## 1. Plan und Ist nach Sozialraum")
        out.append("")
        out.append(Self.mdTable(overviewTable))
        out.append("## 2. Sozialräume: Töpfe, Verbrauch, Prognose")
        out.append("")
        for a in areas {
            out.append("### \(Self.mdText(a.name))")
            out.append("")
            if !a.hasBudget { out.append("Für \(year) ist kein Gesamtfinanzvolumen gesetzt (BudgetSet fehlt).\n") }
            out.append(Self.mdTable(splitsTable(a)))
            out.append(Self.mdTable(potsTable(a)))
            let quarters = a.consumedByQuarter.enumerated().map { "Q\($0.offset + 1) \(Format.euro($0.element.values.reduce(0, +)))" }
            let projected = a.projectedByQuarter.enumerated().map { "Q\(quarter + $0.offset + 1) \(Format.euro($0.element)) (Prognose)" }
            out.append("Verbrauch je Quartal: " + (quarters + projected).joined(separator: " · ") + ".")
            out.append("")
            if let note = closingNote(a) { out.append(note); out.append("") }
            for f in flags where f.scope == a.name { out.append("- **\(f.severity.rawValue):** \(Self.mdText(f.text))") }
            if flags.contains(where: { $0.scope == a.name }) { out.append("") }
        }
        out.append("## 3. Prävention und Netzwerkarbeit (mindestens 10 %)")
        out.append("")
        out.append(Self.mdTable(preventionTable))
        out.append("## 4. Fachleistungsstunden je Hilfeart und Träger (Q\(quarter)/\(year))")
        out.append("")
        out.append(hours.isEmpty ? "Im Quartal wurden keine Stunden bewilligt oder geleistet.\n" : Self.mdTable(hoursTable))
        out.append("## 5. Hilfen (Kontrakte) je Hilfeart und Sozialraum (Q\(quarter)/\(year))")
        out.append("")
        out.append(Self.mdTable(casesTable(casesByHilfeart, casesByHilfeartTotal, first: "Hilfeart")))
        out.append(Self.mdTable(casesTable(casesByArea, casesByAreaTotal, first: "Sozialraum")))
        out.append("Wechsel der Hilfeart im Quartal: \(Self.mdText(Suppression.cell(hilfeartChanges).text)).")
        out.append("")
        out.append("## 6. Stellen: vereinbart und besetzt (Stand \(Format.date(periodEnd)))")
        out.append("")
        if posts.isEmpty {
            out.append("Keine Vereinbarungen mit Planstellen im Quartal.\n")
        } else {
            out.append(Self.mdTable(postsTable))
            if !posts.contains(where: \.staffKnown) {
                out.append("k. A.: Die Besetzung der Stellen führt jeder Träger in seinem eigenen Ledger; das Ledger des Jugendamts kennt nur die vereinbarten Planstellen.\n")
            }
        }
        out.append("## 7. Doppelcontrolling: Abgleich Q\(quarter)/\(year) \(counterpartyNoun.phrase)")
        out.append("")
        out.append(reconciliation.isEmpty ? "Keine Vereinbarung in Kraft; nichts abzugleichen.\n" : Self.mdTable(reconciliationTable))
        out.append("## 8. Hinweise")
        out.append("")
        if flags.isEmpty { out.append("Keine Hinweise.") }
        for f in flags { out.append("- **\(f.severity.rawValue)** — \(Self.mdText(f.scope)): \(Self.mdText(f.text))") }
        out.append("")
        out.append("---")
        out.append("")
        out.append(Self.mdText(Self.suppressionNote))
        out.append("")
        out.append("Beträge in Euro, kaufmännisch auf den Cent gerundet; Stunden mit einer Nachkommastelle. Auslastung = verbraucht ÷ Budget; Jahresprognose = Verbrauch seit 1. Januar × Tage des Jahres ÷ vergangene Tage.")
        out.append("")
        out.append("Quelle: Ledger `\(ledger)`, \(standText), Kopf-Hash `\(headHash.hex)`. Erstellt mit doppelledger report.")
        return out.joined(separator: "\n") + "\n"
    }

    /// Text safe in a Markdown table cell or paragraph: no table breaks, no HTML, no emphasis.
    static func mdText(_ s: String) -> String {
        var out = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            switch c {
            case "|", "\\", "*", "_", "`", "[", "]": out.append("\\"); out.append(c)
            case "<":
                // Only what could open an HTML tag; "< 5" stays as it reads.
                let next = i + 1 < chars.count ? chars[i + 1] : " "
                if next.isLetter || next == "/" || next == "!" || next == "?" { out.append("\\") }
                out.append(c)
            case "\n", "\r": out.append(" ")
            default: out.append(c)
            }
        }
        return out
    }

    static func mdTable(_ t: ReportTable) -> String {
        var lines = ["| " + t.headers.map(mdText).joined(separator: " | ") + " |"]
        lines.append("|" + t.headers.indices.map { t.numeric.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
        for row in t.rows {
            let cells = row.cells.map { c -> String in
                let text = mdText(c.hasPrefix("  ") ? "– " + c.dropFirst(2) : c)
                return row.kind == .total && !text.isEmpty ? "**\(text)**" : text
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
