/// One discrepancy between the Jugendamt's and the Träger's records (CONTRACT section 6).
///
/// A finding names the Träger and the ids it concerns, the differing `field` where there is one,
/// and both sides' values (`null` where a side has nothing). Its ``id`` is derived from kind, ids
/// and field only, so the same discrepancy keeps its id across runs, as-of times and quarters and
/// can be followed until it is resolved.
public struct Finding: Equatable, Hashable, Sendable {
    /// The kinds, in the order of CONTRACT section 6 (which is also the order of a report).
    public enum Kind: String, CaseIterable, Sendable, Comparable {
        case kontraktMissingAtTraeger = "kontrakt-missing-at-traeger"
        case kontraktMissingAtJugendamt = "kontrakt-missing-at-jugendamt"
        case kontraktMismatch = "kontrakt-mismatch"
        case bookingMissingAtTraeger = "booking-missing-at-traeger"
        case bookingMissingAtJugendamt = "booking-missing-at-jugendamt"
        case bookingMismatch = "booking-mismatch"
        case paymentMissingAtTraeger = "payment-missing-at-traeger"
        case paymentMissingAtJugendamt = "payment-missing-at-jugendamt"
        case paymentMismatch = "payment-mismatch"
        case hoursMismatch = "hours-mismatch"
        case overGrant = "over-grant"

        public static func < (a: Kind, b: Kind) -> Bool { a.rank < b.rank }

        var rank: Int { Self.allCases.firstIndex(of: self)! }

        /// The German label people read in reports.
        public var label: String {
            switch self {
            case .kontraktMissingAtTraeger: "Kontrakt fehlt beim Träger"
            case .kontraktMissingAtJugendamt: "Kontrakt fehlt beim Jugendamt"
            case .kontraktMismatch: "Kontrakt weicht ab"
            case .bookingMissingAtTraeger: "Buchung fehlt beim Träger"
            case .bookingMissingAtJugendamt: "Buchung fehlt beim Jugendamt"
            case .bookingMismatch: "Buchung weicht ab"
            case .paymentMissingAtTraeger: "Zahlung fehlt beim Träger"
            case .paymentMissingAtJugendamt: "Zahlung fehlt beim Jugendamt"
            case .paymentMismatch: "Zahlung weicht ab"
            case .hoursMismatch: "Stunden im Quartal weichen ab"
            case .overGrant: "Bewilligung überschritten"
            }
        }
    }

    /// For `over-grant`: which side's own records show consumption above its own grant.
    public enum Side: String, Sendable {
        case jugendamt, traeger, both
    }

    public var kind: Kind
    /// The Träger whose records are compared.
    public var traeger: String
    public var kontrakt: String?
    /// A booking (`HoursBooked` or `PreventionBooked`).
    public var booking: String?
    public var payment: String?
    /// The differing field, for `…-mismatch` kinds (except `hours-mismatch`, which is about a sum).
    public var field: String?
    /// For `over-grant` only.
    public var side: Side?
    /// The Jugendamt's value (`.null`: it has none).
    public var jugendamtValue: JSON
    /// The Träger's value (`.null`: it has none).
    public var traegerValue: JSON

    public init(kind: Kind, traeger: String, kontrakt: String? = nil, booking: String? = nil, payment: String? = nil,
                field: String? = nil, side: Side? = nil, jugendamt: JSON, traeger traegerValue: JSON) {
        self.kind = kind
        self.traeger = traeger
        self.kontrakt = kontrakt
        self.booking = booking
        self.payment = payment
        self.field = field
        self.side = side
        self.jugendamtValue = jugendamt
        self.traegerValue = traegerValue
    }

    /// The first 16 hex digits of SHA-256 over `kind|traeger|kontrakt|booking|payment|field`
    /// (absent parts empty).
    public var id: String {
        let text = [kind.rawValue, traeger, kontrakt ?? "", booking ?? "", payment ?? "", field ?? ""].joined(separator: "|")
        return String(Digest32.sha256(Array(text.utf8)).hex.prefix(16))
    }

    /// The ids the finding concerns, as a JSON object (`traeger` always; others when present).
    public var idsJSON: JSON {
        var o = JSONObject([("traeger", .string(traeger))])
        if let kontrakt { o["kontrakt"] = .string(kontrakt) }
        if let booking { o["booking"] = .string(booking) }
        if let payment { o["payment"] = .string(payment) }
        return .object(o)
    }

    /// The finding as it appears in the JSON report.
    public var json: JSON {
        var o = JSONObject([
            ("id", .string(id)), ("kind", .string(kind.rawValue)), ("ids", idsJSON),
            ("jugendamt", jugendamtValue), ("traeger", traegerValue),
        ])
        if let field { o["field"] = .string(field) }
        if let side { o["side"] = .string(side.rawValue) }
        return .object(o)
    }

    /// The id that orders findings of one kind: the Kontrakt for Kontrakt and hours findings, the
    /// booking or payment otherwise.
    var primaryId: String {
        switch kind {
        case .bookingMissingAtTraeger, .bookingMissingAtJugendamt, .bookingMismatch: booking ?? ""
        case .paymentMissingAtTraeger, .paymentMissingAtJugendamt, .paymentMismatch: payment ?? ""
        default: kontrakt ?? ""
        }
    }

    /// Report order: kind (CONTRACT section 6), then the primary id, then the field's place in
    /// the entity's field list.
    static func precedes(_ a: Finding, _ b: Finding) -> Bool {
        if a.kind != b.kind { return a.kind < b.kind }
        if a.primaryId != b.primaryId { return a.primaryId.utf8.lexicographicallyPrecedes(b.primaryId.utf8) }
        let fa = ComparedField.rank(a.field, of: a.kind), fb = ComparedField.rank(b.field, of: b.kind)
        if fa != fb { return fa < fb }
        return a.id < b.id
    }
}

/// The fields compared, in report order, with their German labels.
public enum ComparedField {
    /// Kontrakt fields (state as of the quarter's last day).
    public static let kontrakt = ["fall", "sozialraum", "hilfeart", "funding", "grantedMinutes", "validFrom", "validTo",
                                  "signedBy", "endedOn", "reason"]
    /// Booking fields (`HoursBooked`, `PreventionBooked`).
    public static let booking = ["type", "kontrakt", "sozialraum", "category", "date", "minutes", "staff"]
    /// Payment fields.
    public static let payment = ["sozialraum", "payee", "funding", "amountCents", "date", "kontrakt"]

    /// A field's place in the list of the entity a finding of `kind` is about.
    static func rank(_ field: String?, of kind: Finding.Kind) -> Int {
        guard let field else { return -1 }
        let list: [String]
        switch kind {
        case .bookingMissingAtTraeger, .bookingMissingAtJugendamt, .bookingMismatch: list = booking
        case .paymentMissingAtTraeger, .paymentMissingAtJugendamt, .paymentMismatch: list = payment
        default: list = kontrakt
        }
        return list.firstIndex(of: field) ?? list.count
    }

    /// The German label of a field.
    public static func label(_ field: String) -> String {
        switch field {
        case "fall": "Fall"
        case "sozialraum": "Sozialraum"
        case "hilfeart": "Hilfeart"
        case "funding": "Finanzierung"
        case "grantedMinutes": "Bewilligte Zeit"
        case "validFrom": "Beginn"
        case "validTo": "Ende"
        case "signedBy": "Unterzeichnet von"
        case "endedOn": "Beendet am"
        case "reason": "Beendigungsgrund"
        case "type": "Buchungsart"
        case "kontrakt": "Kontrakt"
        case "category": "Kategorie"
        case "date": "Datum"
        case "minutes": "Dauer"
        case "staff": "Fachkraft"
        case "payee": "Empfänger"
        case "amountCents": "Betrag"
        default: field
        }
    }
}
