/// A table of the report, as text cells: built once, rendered as HTML or Markdown, so both
/// formats say exactly the same.
struct ReportTable {
    enum RowKind { case normal, subtotal, total }

    struct Row {
        var cells: [String]
        var kind: RowKind = .normal
        /// CSS class for a status cell (HTML only), by column.
        var badges: [Int: String] = [:]
    }

    var headers: [String]
    /// Columns holding numbers (right-aligned).
    var numeric: Set<Int>
    var rows: [Row]
}

/// A key figure at the top of the report.
struct KeyFigure {
    var label: String
    var value: String
    var detail: String
    /// "ok", "warn" or "" for the accent colour.
    var tone: String
}

extension QuarterlyReport {
    var periodText: String { "\(Format.date(periodStart)) – \(Format.date(periodEnd))" }

    var standText: String {
        if headSeq == 0 { return "noch keine Datensätze" + (asOf.map { " (Stand \(Format.moment($0)))" } ?? "") }
        var s = "Datensatz \(Format.count(Int64(headSeq)))"
        if let headRecordedAt { s += " vom \(Format.moment(headRecordedAt))" }
        if let asOf { s += " (Stand \(Format.moment(asOf)))" }
        return s
    }

    var closedText: String {
        closedAt.map { "Quartal abgeschlossen am \(Format.moment($0))" } ?? "Quartal noch nicht abgeschlossen"
    }

    var keyFigures: [KeyFigure] {
        let d = district
        if !d.hasBudget {
            // A Träger's ledger (or a year without BudgetSet): nothing to compare consumption with.
            return [
                KeyFigure(label: "Gesamtfinanzvolumen \(year)", value: "kein Budget gesetzt",
                          detail: "das Gesamtfinanzvolumen setzt das Jugendamt (BudgetSet)", tone: ""),
                KeyFigure(label: "Verbraucht bis \(Format.date(periodEnd))", value: Format.euro(d.consumedCents),
                          detail: "ohne Budget keine Auslastung", tone: ""),
                KeyFigure(label: "Jahresprognose (linear)", value: Format.euro(d.forecastCents), detail: "ohne Budget kein Vergleich", tone: ""),
            ] + Array(keyFiguresAfterMoney)
        }
        return [
            KeyFigure(label: "Gesamtfinanzvolumen \(year)", value: Format.euro(d.gesamtCents),
                      detail: d.tariffCents > 0 ? "darin Tarifsteigerung \(Format.euro(d.tariffCents))" : "vier Sozialräume", tone: ""),
            KeyFigure(label: "Verbraucht bis \(Format.date(periodEnd))", value: Format.euro(d.consumedCents),
                      detail: "Auslastung \(Format.percentShort(d.utilisationBasisPoints)) bei Zeitanteil \(Format.percentShort(elapsedBasisPoints))", tone: ""),
            KeyFigure(label: "Jahresprognose (linear)", value: Format.euro(d.forecastCents),
                      detail: "\(Format.percentShort(d.forecastBasisPoints)) des Gesamtfinanzvolumens",
                      tone: d.forecastBasisPoints > 10_000 ? "warn" : "ok"),
        ] + keyFiguresAfterMoney
    }

    /// The key figures after the money: prevention, reconciliation, flags.
    private var keyFiguresAfterMoney: [KeyFigure] {
        let d = district
        let reconciled = reconciliation.filter { $0.latest != nil }
        let findings = reconciled.reduce(Int64(0)) { $0 + ($1.latest?.findings ?? 0) }
        let warnings = flags.filter { $0.severity == .warnung }.count
        var out: [KeyFigure] = []
        if let share = d.teamShareBasisPoints {
            out.append(KeyFigure(label: "Prävention und Netzwerk", value: "\(Format.percentShort(share)) der Teamstunden",
                                 detail: "Ziel: mindestens 10 % (§ 3.3)", tone: share >= 1_000 ? "ok" : "warn"))
        } else {
            out.append(KeyFigure(label: "Prävention und Netzwerk", value: "nicht ausgewiesen",
                                 detail: d.caseMinutes == nil ? "zu wenige Kontrakte im Quartal" : "keine Teamstunden im Quartal", tone: ""))
        }
        out.append(KeyFigure(label: "Doppelcontrolling Q\(quarter)", value: "\(reconciled.count) von \(reconciliation.count) abgeglichen",
                             detail: reconciled.isEmpty ? "noch kein Abgleich" : (findings == 0 ? "ohne Abweichungen" : "\(Self.findingsText(findings)) festgestellt"),
                             tone: reconciled.count == reconciliation.count && findings == 0 ? "ok" : "warn"))
        out.append(KeyFigure(label: "Hinweise", value: warnings == 0 ? "keine Warnungen" : (warnings == 1 ? "1 Warnung" : "\(warnings) Warnungen"),
                             detail: Self.furtherNotes(flags.count - warnings), tone: warnings == 0 ? "ok" : "warn"))
        return out
    }

    static func furtherNotes(_ n: Int) -> String {
        n == 0 ? "keine weiteren Hinweise" : (n == 1 ? "1 weiterer Hinweis" : "\(n) weitere Hinweise")
    }

    /// Whom the quarter is reconciled with: the Träger (on the Jugendamt's ledger) or the Jugendamt.
    var counterpartyNoun: (singular: String, phrase: String) {
        ledger.hasPrefix("jugendamt:") ? ("Träger", "mit den Trägern") : ("Jugendamt", "mit dem Jugendamt")
    }

    /// Section 1: plan vs. actual per Sozialraum.
    var overviewTable: ReportTable {
        var rows: [ReportTable.Row] = areas.map { a in
            a.hasBudget ? .init(cells: [a.name, Format.euro(a.gesamtCents), Format.euro(a.pots.reduce(0) { $0 + $1.consumedQuarterCents }),
                                        Format.euro(a.consumedCents), Format.percentShort(a.utilisationBasisPoints),
                                        Format.euro(a.pots.reduce(0) { $0 + $1.committedCents }), Format.euro(a.forecastCents),
                                        Format.percentShort(a.forecastBasisPoints)])
                : .init(cells: [a.name, "kein Budget", "", Format.euro(a.consumedCents), "", "", Format.euro(a.forecastCents), ""])
        }
        let d = district
        rows.append(.init(cells: [d.name, Format.euro(d.gesamtCents), Format.euro(d.pots.reduce(0) { $0 + $1.consumedQuarterCents }),
                                  Format.euro(d.consumedCents), Format.percentShort(d.utilisationBasisPoints),
                                  Format.euro(d.pots.reduce(0) { $0 + $1.committedCents }), Format.euro(d.forecastCents),
                                  Format.percentShort(d.forecastBasisPoints)], kind: .total))
        return ReportTable(headers: ["Sozialraum", "Gesamtfinanzvolumen", "verbraucht Q\(quarter)", "verbraucht seit 1.1.",
                                     "Auslastung", "gebunden", "Jahresprognose", "Prognose ÷ Budget"],
                           numeric: Set(1...7), rows: rows)
    }

    /// The splits of an area's Gesamtfinanzvolumen (§ 3).
    func splitsTable(_ a: Area) -> ReportTable {
        var rows: [ReportTable.Row] = []
        rows.append(.init(cells: ["Gesamtfinanzvolumen", Format.euro(a.gesamtCents), "100 %"], kind: .subtotal))
        if a.tariffCents != 0 {
            rows.append(.init(cells: ["  darin Basis", Format.euro(a.baseCents), ""]))
            rows.append(.init(cells: ["  darin Tarifsteigerung (anteilig)", Format.euro(a.tariffCents), ""]))
        }
        rows.append(.init(cells: ["Sozialraumfinanzvolumen", Format.euro(a.sozialraumCents), "85 %"]))
        rows.append(.init(cells: ["  personalisiert", Format.euro(a.personalisiertCents), "80 % davon"]))
        rows.append(.init(cells: ["  variabel", Format.euro(a.variabelCents), "20 % davon"]))
        rows.append(.init(cells: ["  Prävention (mindestens)", Format.euro(a.praeventionMinCents), "10 % davon"]))
        if a.reallocatedCents != 0 {
            rows.append(.init(cells: ["  in die Prävention umgeschichtet", Format.euro(a.reallocatedCents), ""]))
        }
        rows.append(.init(cells: ["ASD-Finanzvolumen", Format.euro(a.asdCents), "15 %"]))
        return ReportTable(headers: ["Volumen", "Betrag", "Anteil"], numeric: [1, 2], rows: rows)
    }

    /// The pots of an area.
    func potsTable(_ a: Area) -> ReportTable {
        var rows = a.pots.map { p in
            ReportTable.Row(cells: [p.funding.displayName, Format.euro(p.budgetCents), Format.euro(p.consumedQuarterCents),
                                    Format.euro(p.consumedCents), Format.euro(p.committedCents), Format.euro(p.remainingCents),
                                    Format.percentShort(p.utilisationBasisPoints), Format.euro(p.forecastCents),
                                    Format.percentShort(p.forecastBasisPoints)],
                            badges: (p.isMinimum ? p.forecastBasisPoints < 10_000 : p.forecastBasisPoints > 10_000) && p.budgetCents > 0 ? [8: "b-bad"] : [:])
        }
        rows.append(.init(cells: ["Summe aller Töpfe", "", Format.euro(a.pots.reduce(0) { $0 + $1.consumedQuarterCents }),
                                  Format.euro(a.consumedCents), Format.euro(a.pots.reduce(0) { $0 + $1.committedCents }), "",
                                  Format.percentShort(a.utilisationBasisPoints) + " des GFV", Format.euro(a.forecastCents),
                                  Format.percentShort(a.forecastBasisPoints) + " des GFV"], kind: .total))
        return ReportTable(headers: ["Topf", "Budget", "verbraucht Q\(quarter)", "verbraucht seit 1.1.", "gebunden", "frei",
                                     "Auslastung", "Jahresprognose", "Prognose ÷ Budget"],
                           numeric: Set(1...8), rows: rows)
    }

    /// What to say about an area's closing and late bookings.
    func closingNote(_ a: Area) -> String? {
        if let closed = a.consumedAsClosedCents, let at = a.closedAt {
            return "Beim Quartalsabschluss am \(Format.moment(at)) waren \(Format.euro(closed)) verbraucht; \(Format.count(a.lateBookings)) Nachbuchungen danach ergeben den korrigierten Stand \(Format.euro(a.consumedCents))."
        }
        return nil
    }

    /// Section 3: prevention and network work.
    var preventionTable: ReportTable {
        func row(_ a: Area, _ kind: ReportTable.RowKind) -> ReportTable.Row {
            let p = a.pot(.praevention)
            let share = a.teamShareBasisPoints
            let money = a.preventionForecastShareBasisPoints
            var badges: [Int: String] = [:]
            if let share, share < 1_000 { badges[4] = "b-bad" }
            if let money, money < 1_000 { badges[8] = "b-bad" }
            return .init(cells: [a.name, Format.hours(a.preventionMinutes), Format.hours(a.networkMinutes),
                                 a.caseMinutes.map(Format.hours) ?? "•", share.map(Format.percentShort) ?? "•",
                                 Format.euro(p?.consumedCents ?? 0), Format.euro(p?.forecastCents ?? 0), Format.euro(a.praeventionMinCents),
                                 money.map(Format.percentShort) ?? "–"], kind: kind, badges: badges)
        }
        return ReportTable(headers: ["Sozialraum", "Prävention", "Netzwerk", "Fallarbeit", "Anteil an Teamstunden",
                                     "Mittel verbraucht", "Mittel Jahresprognose", "Mindestbetrag (10 %)", "Prognose ÷ SRFV"],
                           numeric: Set(1...8), rows: areas.map { row($0, .normal) } + [row(district, .total)])
    }

    /// Section 4: hours per Hilfeart and Träger.
    var hoursTable: ReportTable {
        func cells(_ hilfeart: String, _ l: HoursLine) -> [String] {
            [hilfeart, l.traeger, l.grantedMinutes.map(Format.hours) ?? "•",
             l.deliveredMinutes.map(Format.hours) ?? "•", l.deliveredBasisPoints.map(Format.percentShort) ?? (l.grantedMinutes == nil ? "•" : "–")]
        }
        var rows: [ReportTable.Row] = []
        for block in hours {
            for (i, l) in block.lines.enumerated() {
                rows.append(.init(cells: cells(i == 0 ? block.hilfeart : "", l)))
            }
            if block.lines.count > 1 {
                rows.append(.init(cells: cells("", block.total), kind: .subtotal))
            }
        }
        rows.append(.init(cells: cells("", hoursTotal), kind: .total))
        // No count of Kontrakte here: next to the case counts of section 5 it could undo their suppression.
        return ReportTable(headers: ["Hilfeart", "Träger", "bewilligt", "geleistet", "geleistet ÷ bewilligt"],
                           numeric: [2, 3, 4], rows: rows)
    }

    /// Section 5: cases.
    func casesTable(_ lines: [CasesLine], _ total: CasesLine, first: String) -> ReportTable {
        let rows = lines.map { ReportTable.Row(cells: [$0.label, $0.running.text, $0.started.text, $0.ended.text]) }
            + [ReportTable.Row(cells: [total.label, total.running.text, total.started.text, total.ended.text], kind: .total)]
        return ReportTable(headers: [first, "laufend", "begonnen", "beendet"], numeric: [1, 2, 3], rows: rows)
    }

    /// Section 6: posts.
    var postsTable: ReportTable {
        var rows = posts.map { p in
            ReportTable.Row(cells: [p.traeger, Format.posts(p.agreedHundredths),
                                    p.staffKnown ? Format.posts(p.staffedHundredths) : "k. A.",
                                    p.staffKnown && p.agreedHundredths > 0 ? Format.percentShort(Money.share(p.staffedHundredths, 10_000, p.agreedHundredths)) : "–",
                                    p.staffKnown ? Format.count(p.heads) : "k. A.",
                                    p.staffKnown ? Format.count(p.headsFachstudium) : "k. A."],
                            badges: p.staffKnown && p.headsFachstudium * 2 < p.heads ? [5: "b-bad"] : [:])
        }
        let agreed = posts.reduce(Int64(0)) { $0 + $1.agreedHundredths }
        let known = posts.contains { $0.staffKnown }
        let staffed = posts.reduce(Int64(0)) { $0 + $1.staffedHundredths }
        rows.append(.init(cells: ["Landkreis gesamt", Format.posts(agreed), known ? Format.posts(staffed) : "k. A.",
                                  known && agreed > 0 ? Format.percentShort(Money.share(staffed, 10_000, agreed)) : "–",
                                  known ? Format.count(posts.reduce(0) { $0 + $1.heads }) : "k. A.",
                                  known ? Format.count(posts.reduce(0) { $0 + $1.headsFachstudium }) : "k. A."], kind: .total))
        return ReportTable(headers: ["Träger", "vereinbart (Vollzeitstellen)", "besetzt (Vollzeitstellen)", "Besetzungsquote",
                                     "Fachkräfte", "davon mit Fachstudium"],
                           numeric: [1, 2, 3, 4, 5], rows: rows)
    }

    /// Section 7: the reconciliation with each Träger.
    var reconciliationTable: ReportTable {
        let own = ledger.hasPrefix("jugendamt:") ? "Stand Jugendamt" : "Stand eigener Ledger"
        let other = ledger.hasPrefix("jugendamt:") ? "Stand Träger" : "Stand Gegenseite"
        let rows = reconciliation.map { line -> ReportTable.Row in
            guard let r = line.latest else {
                return .init(cells: [line.counterparty, "nicht abgeglichen", "–", "–", "–", "–", "–"], badges: [1: "b-bad"])
            }
            let status = r.findings == 0 ? "abgeglichen" : "abgeglichen, mit Abweichungen"
            return .init(cells: [line.counterparty, status, Format.moment(r.recordedAt) + (line.times > 1 ? " (\(line.times). Abgleich)" : ""),
                                 Format.count(r.findings), "Datensatz \(Format.count(Int64(r.ownHeadSeq)))",
                                 "Datensatz \(Format.count(Int64(r.counterpartyHeadSeq)))", String(r.reportHash.hex.prefix(16))],
                         badges: [1: r.findings == 0 ? "b-ok" : "b-warn"])
        }
        return ReportTable(headers: [counterpartyNoun.singular, "Status", "abgeglichen am", "Abweichungen", own, other, "Bericht (SHA-256, Anfang)"],
                           numeric: [3], rows: rows)
    }

    /// The suppression rule as printed in the report.
    static let suppressionNote = "Geheimhaltung (SGB VIII § 64 Abs. 3): Fallzahlen von 1 bis 4 erscheinen als „< 5“; wo eine Summe sonst eine solche Zahl verraten würde, ist auch die nächstkleinere Zahl der Spalte mit „•“ verborgen. Stunden werden nur für Gruppen von mindestens 5 Kontrakten ausgewiesen: kleinere Träger einer Hilfeart sind als „weitere Träger“, kleinere Hilfearten als „weitere Hilfearten“ zusammengefasst; was auch so unter 5 Kontrakten bleibt, ist mit „•“ verborgen. Der Bericht enthält keine Kontrakt-, Fall-, Buchungs- oder Personalnummern."
}
