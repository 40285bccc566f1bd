/// The reconciliation for people: Markdown with German labels, hours and euros.
///
/// Extension point: when the projector provides ``Reconciliation/totals``, a section with the
/// totals per Sozialraum and pot from both sides belongs between the overview and the findings
/// (see `totalsSection`).
public enum ReconciliationMarkdown {
    public static func render(_ r: Reconciliation) -> String {
        var out = "# Abgleich \(r.period.label): Jugendamt \(r.jugendamt.org) ↔ Träger \(r.traeger.org)\n\n"
        out += "| | |\n|---|---|\n"
        out += "| Quartal | \(GermanText.date(r.period.first)) – \(GermanText.date(r.period.last)) (Leistungsdatum) |\n"
        if let asOf = r.period.asOf {
            out += "| Stand | Erfasst bis \(GermanText.timestamp(asOf)) |\n"
        } else {
            out += "| Stand | Alles bis zum Abgleich Erfasste |\n"
        }
        out += "| Jugendamt | \(side(r.jugendamt)) |\n"
        out += "| Träger | \(side(r.traeger)) |\n"
        let n = r.findings.count
        out += "| Ergebnis | " + (n == 0 ? "**Keine Abweichungen: das Quartal ist abgestimmt.**"
                                       : "**\(n) \(n == 1 ? "Abweichung" : "Abweichungen")**") + " |\n"
        if let totals = r.totals { out += totalsSection(totals) }
        guard n > 0 else { return out }

        out += "\n## Abweichungen nach Art\n\n| Art | Anzahl |\n|---|---:|\n"
        for (kind, count) in r.counts where count > 0 {
            out += "| \(kind.label) | \(count) |\n"
        }
        out += "\n## Abweichungen\n\n"
        out += "| Nr. | Art | Kontrakt | Buchung / Zahlung | Feld | Jugendamt | Träger | Kennung |\n"
        out += "|---:|---|---|---|---|---|---|---|\n"
        for (i, f) in r.findings.enumerated() {
            let cells = [
                "\(i + 1)", f.kind.label, f.kontrakt ?? "", f.booking ?? f.payment ?? "",
                fieldCell(f), GermanText.value(f.jugendamtValue, field: f.field, kind: f.kind),
                GermanText.value(f.traegerValue, field: f.field, kind: f.kind), "`\(f.id)`",
            ]
            out += "| " + cells.map(escape).joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func side(_ s: SideSummary) -> String {
        let head = s.head.seq == 0 ? "keine Sätze" : "\(s.records) Sätze, bis Satz \(s.head.seq) (`\(s.head.hash.hex.prefix(16))…`)"
        return "`\(s.ledger)`, Strom `\(s.stream)`: \(head)"
    }

    static func fieldCell(_ f: Finding) -> String {
        if let side = f.side {
            switch side {
            case .both: return "bei beiden"
            case .jugendamt: return "beim Jugendamt"
            case .traeger: return "beim Träger"
            }
        }
        return f.field.map(ComparedField.label) ?? ""
    }

    /// Placeholder until the projector defines the shape of its totals: shown as JSON.
    static func totalsSection(_ totals: JSON) -> String {
        "\n## Summen je Sozialraum und Topf\n\n```json\n\(CanonicalWriter.string(totals))\n```\n"
    }

    static func escape(_ cell: String) -> String {
        cell.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
    }
}

/// The reconciliation as CSV: one finding a row, RFC 4180 (comma, CRLF, quotes doubled), UTF-8
/// with a byte-order mark so that spreadsheets show umlauts. Amounts stay in cents and spans in
/// minutes; composite values (a whole Kontrakt) are their canonical JSON.
public enum ReconciliationCSV {
    public static let header = ["id", "kind", "label", "traeger", "kontrakt", "booking", "payment", "field", "side",
                                "jugendamtValue", "traegerValue"]

    public static func render(_ r: Reconciliation) -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        func row(_ cells: [String]) {
            out.append(contentsOf: cells.map(quote).joined(separator: ",").utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        row(header)
        for f in r.findings {
            row([f.id, f.kind.rawValue, f.kind.label, f.traeger, f.kontrakt ?? "", f.booking ?? "", f.payment ?? "",
                 f.field ?? "", f.side?.rawValue ?? "", cell(f.jugendamtValue), cell(f.traegerValue)])
        }
        return out
    }

    static func cell(_ v: JSON) -> String {
        switch v {
        case .null: ""
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .array, .object: CanonicalWriter.string(v)
        }
    }

    /// Quotes a field when it holds a comma, a quote, a line break or leading/trailing space.
    static func quote(_ s: String) -> String {
        let needs = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || s.first == " " || s.last == " "
        return needs ? "\"" + s.replacingAll("\"", with: "\"\"") + "\"" : s
    }
}

/// German formatting for people: dates `30.06.2025`, hours `12:30 Std.`, euros `1.234,56 €`.
enum GermanText {
    static func date(_ d: CalendarDate) -> String {
        let (y, m, day) = d.components
        return "\(two(day)).\(two(m)).\(y)"
    }

    static func timestamp(_ t: Timestamp) -> String {
        let s = t.description // YYYY-MM-DDTHH:MM:SSZ
        let d = CalendarDate(String(s.prefix(10)))!
        return "\(date(d)) \(s.dropFirst(11).prefix(8)) UTC"
    }

    static func hours(_ minutes: Int64) -> String {
        "\(minutes / 60):\(two(Int(minutes % 60))) Std."
    }

    static func euros(_ cents: Int64) -> String {
        let euros = cents / 100
        var digits = String(euros)
        var grouped = ""
        while digits.count > 3 {
            grouped = "." + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return digits + grouped + "," + two(Int(cents % 100)) + " €"
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// A value of `field` (or a whole entity of a "missing" finding) in words.
    static func value(_ v: JSON, field: String?, kind: Finding.Kind) -> String {
        if case .null = v { return "—" }
        switch kind {
        case .overGrant:
            guard let o = v.object, let booked = o["bookedMinutes"]?.int, let granted = o["grantedMinutes"]?.int else { break }
            return "\(hours(booked)) gebucht, \(hours(granted)) bewilligt"
        case .hoursMismatch:
            if let m = v.int { return hours(m) }
        case .kontraktMissingAtTraeger, .kontraktMissingAtJugendamt:
            if let o = v.object { return kontrakt(o) }
        case .bookingMissingAtTraeger, .bookingMissingAtJugendamt:
            if let o = v.object { return booking(o) }
        case .paymentMissingAtTraeger, .paymentMissingAtJugendamt:
            if let o = v.object { return payment(o) }
        default:
            break
        }
        return scalar(v, field: field ?? "")
    }

    static func scalar(_ v: JSON, field: String) -> String {
        switch v {
        case .null: return "—"
        case .int(let i):
            if field.hasSuffix("Minutes") || field == "minutes" { return hours(i) }
            if field.hasSuffix("Cents") { return euros(i) }
            return String(i)
        case .string(let s):
            switch field {
            case "validFrom", "validTo", "endedOn", "date": return CalendarDate(s).map(date) ?? s
            case "sozialraum": return Sozialraum(rawValue: s)?.displayName ?? s
            case "hilfeart": return Hilfeart(rawValue: s)?.displayName ?? s
            case "funding": return Funding(rawValue: s)?.displayName ?? s
            case "reason": return reason(s)
            case "category": return s == "netzwerk" ? "Netzwerk" : s == "praevention" ? "Prävention" : s
            case "type": return s == EventType.hoursBooked.rawValue ? "Fachleistungsstunden" : s == EventType.preventionBooked.rawValue ? "Prävention/Netzwerk" : s
            default: return s
            }
        default:
            return CanonicalWriter.string(v)
        }
    }

    static func reason(_ s: String) -> String {
        switch s {
        case "planmaessig": "planmäßig"
        case "abbruch": "Abbruch"
        case "wechsel": "Wechsel"
        case "sonstiges": "Sonstiges"
        default: s
        }
    }

    static func kontrakt(_ o: JSONObject) -> String {
        var parts: [String] = []
        if let f = o["fall"]?.string { parts.append("Fall \(f)") }
        for field in ["sozialraum", "hilfeart", "funding", "grantedMinutes"] {
            if let v = o[field] { parts.append(scalar(v, field: field)) }
        }
        if let from = o["validFrom"], let to = o["validTo"] {
            parts.append("\(scalar(from, field: "validFrom"))–\(scalar(to, field: "validTo"))")
        }
        if let s = o["signedBy"]?.string { parts.append("gez. \(s)") }
        if let e = o["endedOn"] {
            parts.append("beendet \(scalar(e, field: "endedOn"))" + (o["reason"]?.string.map { " (\(reason($0)))" } ?? ""))
        }
        return parts.joined(separator: " · ")
    }

    static func booking(_ o: JSONObject) -> String {
        var parts: [String] = []
        if o["type"]?.string == EventType.preventionBooked.rawValue {
            parts.append(scalar(o["category"] ?? .null, field: "category"))
            if let s = o["sozialraum"] { parts.append(scalar(s, field: "sozialraum")) }
        }
        if let d = o["date"] { parts.append(scalar(d, field: "date")) }
        if let m = o["minutes"] { parts.append(scalar(m, field: "minutes")) }
        if let s = o["staff"]?.string { parts.append("Fachkraft \(s)") }
        return parts.joined(separator: " · ")
    }

    static func payment(_ o: JSONObject) -> String {
        var parts: [String] = []
        if let d = o["date"] { parts.append(scalar(d, field: "date")) }
        if let a = o["amountCents"] { parts.append(scalar(a, field: "amountCents")) }
        if let p = o["payee"]?.string { parts.append("an \(p)") }
        for field in ["funding", "sozialraum"] {
            if let v = o[field] { parts.append(scalar(v, field: field)) }
        }
        return parts.joined(separator: " · ")
    }
}

extension String {
    /// Replaces every `target` character (no Foundation in LedgerCore).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
