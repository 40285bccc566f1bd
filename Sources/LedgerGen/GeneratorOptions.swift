public import LedgerCore

/// What to generate: which years, from which seed, how large, and whether to plant discrepancies.
public struct GeneratorOptions: Sendable, Equatable {
    /// The first budget year generated.
    public var startYear: Int
    /// How many budget years (1 or more).
    public var years: Int
    /// The seed: the same options give the same events, byte for byte.
    public var seed: UInt64
    /// Multiplies case counts (Kontrakte, their bookings, payments) for benchmarks; 1 is realistic.
    public var scale: Int
    /// Plant discrepancies between the Jugendamt's and the Träger's ledgers (see ``plantKinds``).
    public var plantDiscrepancies: Bool
    /// The kinds planted when ``plantDiscrepancies`` is set, one each, spread over the first
    /// year's quarters and the Träger.
    public var plantKinds: [Finding.Kind]
    /// Let a few Kontrakte be booked beyond their grant, as reality has it (each shows up as an
    /// `over-grant` finding and is listed in the plan). Off: every Kontrakt stays within its grant.
    public var hoursBeyondGrant: Bool
    /// The Jugendamt's org id.
    public var jugendamt: String

    public init(startYear: Int = 2025, years: Int = 1, seed: UInt64 = 42, scale: Int = 1,
                plantDiscrepancies: Bool = false, plantKinds: [Finding.Kind] = Finding.Kind.allCases,
                hoursBeyondGrant: Bool = true, jugendamt: String = "trier-saarburg") {
        self.startYear = startYear
        self.years = years
        self.seed = seed
        self.scale = scale
        self.plantDiscrepancies = plantDiscrepancies
        self.plantKinds = plantKinds
        self.hoursBeyondGrant = hoursBeyondGrant
        self.jugendamt = jugendamt
    }

    /// Why these options cannot be generated, or `nil`.
    public var problem: String? {
        if !(2001...2090).contains(startYear) { return "the start year must be between 2001 and 2090, got \(startYear)" }
        if !(1...50).contains(years) { return "years must be between 1 and 50, got \(years)" }
        if !(1...1000).contains(scale) { return "scale must be between 1 and 1000, got \(scale)" }
        if !Identifier.isValid(jugendamt) { return "the Jugendamt's org must be an id (\(Identifier.rule)), got \"\(jugendamt)\"" }
        return nil
    }
}

/// A finding the reconciliation of the generated ledgers must report: what was planted (or, for
/// `over-grant`, what reality did), the ids it concerns and the quarter it first shows in.
///
/// One planting can cause several findings: a booking missing on one side also makes the hours of
/// its Kontrakt and quarter differ, so the plan lists both, with the same ``cause``.
public struct PlantedDiscrepancy: Sendable, Equatable, Hashable {
    public var kind: Finding.Kind
    /// The Träger whose reconciliation with the Jugendamt shows it.
    public var traeger: String
    /// The ids it concerns: the Kontrakt (kontrakt-…, hours-mismatch, over-grant), the booking
    /// (booking-…) or the payment (payment-…).
    public var ids: [String]
    /// The field that differs (for the `…-mismatch` kinds but hours-mismatch).
    public var field: String?
    /// The quarter (service dates) whose reconciliation first shows it.
    public var year: Int
    public var quarter: Int
    /// For over-grant: the side whose ledger shows it; `nil` for both.
    public var side: Side?
    /// What was done, in a sentence (for people reading the plan).
    public var cause: String

    public init(kind: Finding.Kind, traeger: String, ids: [String], field: String? = nil, year: Int, quarter: Int,
                side: Side? = nil, cause: String) {
        self.kind = kind
        self.traeger = traeger
        self.ids = ids
        self.field = field
        self.year = year
        self.quarter = quarter
        self.side = side
        self.cause = cause
    }

    /// The plan entry as JSON (for `plan.json` of the generator tool).
    public var json: JSON {
        var o = JSONObject([("kind", .string(kind.rawValue)), ("traeger", .string(traeger)),
                            ("ids", .array(ids.map { .string($0) })), ("year", .int(Int64(year))),
                            ("quarter", .int(Int64(quarter))), ("cause", .string(cause))])
        if let field { o["field"] = .string(field) }
        if let side { o["side"] = .string(side.rawValue) }
        return .object(o)
    }
}

/// One ledger's generated events, in the order they must be appended (`recordedAt` never
/// goes backwards), each with its `recordedAt` set.
public struct GeneratedLedger: Sendable {
    /// `jugendamt:<org>` or `traeger:<org>`.
    public let name: LedgerName
    /// On a Träger's ledger: the Jugendamt it works with (the `--jugendamt` of `init`).
    public let jugendamt: String?
    public var events: [NewEvent]

    /// The import file: JSON Lines of `{type,key,actor?,data,recordedAt}`, canonical JSON.
    public func importLines() -> [UInt8] {
        var w = CanonicalWriter(capacity: events.count * 200)
        for e in events {
            var o = JSONObject([("type", .string(e.type)), ("key", .string(e.key)), ("data", .object(e.data))])
            if let actor = e.actor { o["actor"] = .string(actor) }
            if let t = e.recordedAt { o["recordedAt"] = .string(t.description) }
            w.object(o)
            w.byte(0x0A)
        }
        return w.bytes
    }

    /// The last `recordedAt` (the earliest `now` an append of these events accepts).
    public var lastRecordedAt: Timestamp? { events.last?.recordedAt }
}

/// A generated Landkreis: the Jugendamt's ledger, each Träger's, and the plan of what the
/// reconciliation must find.
public struct GeneratedLandkreis: Sendable {
    public let options: GeneratorOptions
    public var jugendamt: GeneratedLedger
    public var traeger: [GeneratedLedger]
    /// Planted discrepancies and over-grant Kontrakte, ordered by year, quarter, Träger, kind.
    public var planted: [PlantedDiscrepancy]

    /// The Jugendamt's ledger first, then the Träger's in id order.
    public var ledgers: [GeneratedLedger] { [jugendamt] + traeger }

    /// The latest `recordedAt` of all ledgers.
    public var lastRecordedAt: Timestamp {
        ledgers.compactMap(\.lastRecordedAt).max() ?? Timestamp(seconds: 0)
    }

    /// All events of all ledgers.
    public var eventCount: Int { ledgers.reduce(0) { $0 + $1.events.count } }
}
