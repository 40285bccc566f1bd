extension BudgetView {
    /// Machine-readable: amounts in `…Cents`, spans in `…Minutes` (CONTRACT section 3).
    public var json: JSON {
        func potJSON(_ p: Pot) -> JSON {
            ["funding": .string(p.funding.rawValue), "budgetCents": .int(p.budgetCents),
             "consumedQuarterCents": .int(p.consumedQuarterCents), "consumedCents": .int(p.consumedCents),
             "committedCents": .int(p.committedCents), "remainingCents": .int(p.remainingCents),
             "utilisationBasisPoints": .int(p.utilisationBasisPoints), "forecastCents": .int(p.forecastCents)]
        }
        var o = JSONObject([
            ("sozialraum", .string(sozialraum.rawValue)), ("year", .int(Int64(year))), ("asOfSeq", .int(Int64(asOfSeq))),
            ("baseCents", .int(baseCents)), ("gesamtCents", .int(gesamtCents)), ("sozialraumCents", .int(sozialraumCents)),
            ("asdCents", .int(asdCents)), ("personalisiertCents", .int(personalisiertCents)), ("variabelCents", .int(variabelCents)),
            ("praeventionMinCents", .int(praeventionMinCents)),
            ("tariffs", .array(tariffs.map { ["effectiveFrom": .string($0.effectiveFrom.description), "basisPoints": .int($0.basisPoints), "raiseCents": .int($0.raiseCents)] })),
            ("reallocatedCents", .object(JSONObject(ReallocationSource.allCases.map { ($0.rawValue, JSON.int(reallocatedCents[$0] ?? 0)) }))),
            ("pots", .array(pots.map(potJSON))),
            ("preventionMinutes", .object(JSONObject(PreventionCategory.allCases.map { ($0.rawValue, JSON.int(preventionMinutes[$0] ?? 0)) }))),
            ("caseMinutes", .int(caseMinutes)),
            ("hours", .array(hours.map { ["hilfeart": .string($0.hilfeart.rawValue), "traeger": .string($0.traeger), "grantedMinutes": .int($0.grantedMinutes), "deliveredMinutes": .int($0.deliveredMinutes)] })),
            ("posts", .array(posts.map { ["traeger": .string($0.traeger), "agreedHundredths": .int($0.agreedHundredths), "staffedHundredths": .int($0.staffedHundredths), "heads": .int($0.heads), "headsFachstudium": .int($0.headsFachstudium)] })),
            ("cases", .array(cases.map { ["hilfeart": .string($0.hilfeart.rawValue), "running": .int($0.running), "started": .int($0.started), "ended": .int($0.ended)] })),
            ("kontrakteOverGrant", .int(kontrakteOverGrant)), ("hilfeartChanges", .int(hilfeartChanges)),
            ("lateBookings", .int(lateBookings)), ("unvaluedMinutes", .int(unvaluedMinutes)),
            ("flags", .array(flags.map { ["code": .string($0.code), "message": .string($0.message)] })),
        ])
        if let quarter { o["quarter"] = .int(Int64(quarter)) }
        if let asOf { o["asOf"] = .string(asOf.description) }
        if let closedAt { o["closedAt"] = .string(closedAt.description) }
        if let asClosed { o["asClosed"] = .array(asClosed.map(potJSON)) }
        return .object(o)
    }

    /// One row per pot, for spreadsheets (amounts in cents).
    public var csv: String {
        var lines = ["sozialraum,year,quarter,funding,budgetCents,consumedQuarterCents,consumedCents,committedCents,remainingCents,utilisationBasisPoints,forecastCents"]
        for p in pots {
            lines.append("\(sozialraum.rawValue),\(year),\(quarter.map(String.init) ?? ""),\(p.funding.rawValue),\(p.budgetCents),\(p.consumedQuarterCents),\(p.consumedCents),\(p.committedCents),\(p.remainingCents),\(p.utilisationBasisPoints),\(p.forecastCents)")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A table for a controller, German labels and formats.
    public var table: String {
        var out: [String] = []
        let period = quarter.map { "Q\($0)/\(year)" } ?? "\(year)"
        out.append("Sozialraum \(sozialraum.displayName) — \(period)" + (asOf.map { " — Stand \($0)" } ?? ""))
        out.append("")
        out.append("Gesamtfinanzvolumen       \(pad(Format.euro(gesamtCents), 18))" + (tariffs.isEmpty ? "" : "  (Basis \(Format.euro(baseCents)), Tarif +\(Format.euro(gesamtCents - baseCents)))"))
        out.append("  Sozialraumfinanzvolumen \(pad(Format.euro(sozialraumCents), 18))  85 %")
        out.append("    personalisiert        \(pad(Format.euro(personalisiertCents), 18))  80 %")
        out.append("    variabel              \(pad(Format.euro(variabelCents), 18))  20 %")
        out.append("    Prävention (mind.)    \(pad(Format.euro(praeventionMinCents), 18))  10 %")
        out.append("  ASD-Finanzvolumen       \(pad(Format.euro(asdCents), 18))  15 %")
        out.append("")
        let header = [lpad("Topf", 16), pad("Budget", 17), pad("Quartal", 16), pad("verbraucht", 17), pad("gebunden", 16), pad("frei", 17), pad("Ausl.", 9), pad("Prognose", 17)]
        out.append(header.joined(separator: " "))
        for p in pots {
            out.append([lpad(p.funding.rawValue, 16), pad(Format.euro(p.budgetCents), 17), pad(Format.euro(p.consumedQuarterCents), 16),
                        pad(Format.euro(p.consumedCents), 17), pad(Format.euro(p.committedCents), 16), pad(Format.euro(p.remainingCents), 17),
                        pad(Format.percent(p.utilisationBasisPoints), 9), pad(Format.euro(p.forecastCents), 17)].joined(separator: " "))
        }
        if let asClosed {
            out.append("")
            out.append("Stand beim Quartalsabschluss (\(closedAt.map(\.description) ?? "")), vor \(lateBookings) Nachbuchungen:")
            for p in asClosed {
                out.append("  \(lpad(p.funding.rawValue, 16)) verbraucht \(pad(Format.euro(p.consumedCents), 17))")
            }
        } else if let closedAt {
            out.append("")
            out.append("Quartal abgeschlossen am \(closedAt).")
        }
        let prevention = preventionMinutes.values.reduce(0, +)
        out.append("")
        out.append("Fallarbeit \(Format.hours(caseMinutes)), Prävention/Netzwerk \(Format.hours(prevention))"
                   + (caseMinutes + prevention > 0 ? " (\(Format.percent(Money.share(prevention, 10_000, caseMinutes + prevention))) der Teamstunden)" : ""))
        if !hours.isEmpty {
            out.append("")
            out.append("\(lpad("Hilfeart", 32)) \(lpad("Träger", 18)) \(pad("bewilligt", 12)) \(pad("geleistet", 12))")
            for h in hours {
                out.append("\(lpad(h.hilfeart.displayName, 32)) \(lpad(h.traeger, 18)) \(pad(Format.hours(h.grantedMinutes), 12)) \(pad(Format.hours(h.deliveredMinutes), 12))")
            }
        }
        if !cases.isEmpty {
            out.append("")
            out.append("\(lpad("Fälle", 32)) \(pad("laufend", 8)) \(pad("begonnen", 9)) \(pad("beendet", 8))")
            for c in cases {
                out.append("\(lpad(c.hilfeart.displayName, 32)) \(pad(String(c.running), 8)) \(pad(String(c.started), 9)) \(pad(String(c.ended), 8))")
            }
        }
        if !posts.isEmpty {
            out.append("")
            out.append("\(lpad("Stellen", 18)) \(pad("vereinbart", 11)) \(pad("besetzt", 9)) \(pad("Köpfe", 6)) \(pad("Fachstudium", 12))")
            for p in posts {
                out.append("\(lpad(p.traeger, 18)) \(pad(Format.posts(p.agreedHundredths), 11)) \(pad(Format.posts(p.staffedHundredths), 9)) \(pad(String(p.heads), 6)) \(pad(String(p.headsFachstudium), 12))")
            }
        }
        out.append("")
        if flags.isEmpty {
            out.append("Hinweise: keine")
        } else {
            out.append("Hinweise:")
            for f in flags { out.append("  ! \(f.message)") }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Right-aligns `s` in `width` characters.
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

/// Left-aligns `s` in `width` characters.
func lpad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
