/// The state the rules keep beside the log: what a new event is checked against.
///
/// Everything here is derived from the log and rebuilt by replaying it; it lives in the same
/// LMDB transaction as the records, so it is never behind them.
public struct KontraktState: Equatable, Sendable {
    public var kontrakt: String
    public var fall: String
    public var traeger: String
    public var sozialraum: Sozialraum
    public var hilfeart: Hilfeart
    public var funding: Funding
    public var grantedMinutes: Int64
    public var validFrom: CalendarDate
    public var validTo: CalendarDate
    public var endedOn: CalendarDate?
    /// Minutes booked and not reversed.
    public var bookedMinutes: Int64

    /// The last day bookings may fall on.
    public var lastDay: CalendarDate { endedOn.map { min($0, validTo) } ?? validTo }

    static func key(_ id: String) -> [UInt8] { stateKey("k", id) }

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.string(fall); w.string(traeger); w.string(sozialraum.rawValue); w.string(hilfeart.rawValue); w.string(funding.rawValue)
        w.int(grantedMinutes); w.date(validFrom); w.date(validTo); w.date(endedOn); w.int(bookedMinutes)
        return w.bytes
    }

    init(kontrakt: String, fall: String, traeger: String, sozialraum: Sozialraum, hilfeart: Hilfeart, funding: Funding,
         grantedMinutes: Int64, validFrom: CalendarDate, validTo: CalendarDate, endedOn: CalendarDate?, bookedMinutes: Int64) {
        self.kontrakt = kontrakt; self.fall = fall; self.traeger = traeger; self.sozialraum = sozialraum
        self.hilfeart = hilfeart; self.funding = funding; self.grantedMinutes = grantedMinutes
        self.validFrom = validFrom; self.validTo = validTo; self.endedOn = endedOn; self.bookedMinutes = bookedMinutes
    }

    public init(kontrakt: String, _ bytes: [UInt8]) {
        var r = BinaryReader(bytes)
        self.kontrakt = kontrakt
        fall = r.string(); traeger = r.string()
        sozialraum = Sozialraum(rawValue: r.string()) ?? .konz
        hilfeart = Hilfeart(rawValue: r.string()) ?? .familienhilfe
        funding = Funding(rawValue: r.string()) ?? .personalisiert
        grantedMinutes = r.int(); validFrom = r.date()!; validTo = r.date()!; endedOn = r.date(); bookedMinutes = r.int()
    }

    /// The Kontrakt `id`, or `nil`.
    public static func load(_ id: String, _ state: any StateAccess) throws -> KontraktState? {
        let scratch = state.scratch
        if let cached = scratch.kontrakte[id] { return cached }
        guard let k = try state.get(key(id)).map({ KontraktState(kontrakt: id, $0) }) else { return nil }
        scratch.kontrakte[id] = k
        return k
    }

    func save(_ state: any StateAccess) throws {
        try state.put(Self.key(kontrakt), encode())
        state.scratch.kontrakte[kontrakt] = self
    }
}

/// A booking or payment, as far as reversals and projections need it.
public struct BookingState: Equatable, Sendable {
    public enum Kind: UInt8, Sendable { case hours = 0, prevention = 1, payment = 2 }
    public var id: String
    public var kind: Kind
    public var traeger: String
    public var kontrakt: String?
    /// Minutes for hours and prevention, cents for payments.
    public var amount: Int64
    public var date: CalendarDate
    public var reversed: Bool

    static func key(_ id: String) -> [UInt8] { stateKey("b", id) }

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.byte(kind.rawValue); w.string(traeger); w.string(kontrakt ?? ""); w.int(amount); w.date(date); w.byte(reversed ? 1 : 0)
        return w.bytes
    }

    public static func load(_ id: String, _ state: any StateAccess) throws -> BookingState? {
        guard let bytes = try state.get(key(id)) else { return nil }
        var r = BinaryReader(bytes)
        let kind = Kind(rawValue: r.byte()) ?? .hours
        let traeger = r.string()
        let kontrakt = r.string()
        return BookingState(id: id, kind: kind, traeger: traeger, kontrakt: kontrakt.isEmpty ? nil : kontrakt,
                            amount: r.int(), date: r.date()!, reversed: r.byte() == 1)
    }

    func save(_ state: any StateAccess) throws { try state.put(Self.key(id), encode()) }
}

/// An agreement (Kooperationsvereinbarung) of a Träger in a Sozialraum.
public struct AgreementState: Equatable, Sendable {
    public var agreement: String
    public var traeger: String
    public var sozialraum: Sozialraum
    public var validFrom: CalendarDate
    public var validTo: CalendarDate
    public var stellenfaktorCents: Int64
    public var jahresarbeitszeitMinutes: Int64
    public var planstellenHundredths: Int64

    /// The Fachleistungsstunde in cents per hour: Stellenfaktor × 60 ÷ Jahresarbeitszeit (minutes),
    /// rounded half up to the cent (CONTRACT section 3).
    public var flsCentsPerHour: Int64 {
        Money.divideRoundingHalfUp(stellenfaktorCents * 60, jahresarbeitszeitMinutes)
    }

    /// The value of `minutes` at this agreement's Fachleistungsstunde, rounded half up to the cent.
    public func value(minutes: Int64) -> Int64 {
        Money.divideRoundingHalfUp(minutes * flsCentsPerHour, 60)
    }

    static func prefix(_ traeger: String, _ sz: Sozialraum) -> [UInt8] { stateKey("a", traeger, sz.rawValue) + [UInt8(ascii: "/")] }
    static func key(_ traeger: String, _ sz: Sozialraum, _ id: String) -> [UInt8] { stateKey("a", traeger, sz.rawValue, id) }

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.date(validFrom); w.date(validTo); w.int(stellenfaktorCents); w.int(jahresarbeitszeitMinutes); w.int(planstellenHundredths)
        return w.bytes
    }

    func save(_ state: any StateAccess) throws {
        state.scratch.agreements["\(traeger)/\(sozialraum.rawValue)"] = nil
        try state.put(Self.key(traeger, sozialraum, agreement), encode())
        try state.put(stateKey("aid", agreement), Array("\(traeger)/\(sozialraum.rawValue)".utf8))
    }

    /// Every agreement of `traeger` in `sozialraum`, in id order.
    public static func all(_ traeger: String, _ sz: Sozialraum, _ state: any StateAccess) throws -> [AgreementState] {
        let cacheKey = "\(traeger)/\(sz.rawValue)"
        if let cached = state.scratch.agreements[cacheKey] { return cached }
        var out: [AgreementState] = []
        let prefix = Self.prefix(traeger, sz)
        try state.scan(prefix: prefix) { k, v in
            var r = BinaryReader(v)
            out.append(AgreementState(agreement: String(decoding: k[prefix.count...], as: UTF8.self), traeger: traeger, sozialraum: sz,
                                      validFrom: r.date()!, validTo: r.date()!, stellenfaktorCents: r.int(),
                                      jahresarbeitszeitMinutes: r.int(), planstellenHundredths: r.int()))
            return true
        }
        state.scratch.agreements[cacheKey] = out
        return out
    }

    /// The agreement of `traeger` in `sozialraum` in force on `date`.
    public static func inForce(_ traeger: String, _ sz: Sozialraum, on date: CalendarDate, _ state: any StateAccess) throws -> AgreementState? {
        try all(traeger, sz, state).first { $0.validFrom <= date && date <= $0.validTo }
    }
}

/// A signer's authorisations (ASD Zeichnungsbefugnis).
struct SignerState {
    struct Grant { var sozialraum: Sozialraum?; var from: CalendarDate; var to: CalendarDate? }
    var grants: [Grant]

    static func key(_ id: String) -> [UInt8] { stateKey("s", id) }

    static func load(_ id: String, _ state: any StateAccess) throws -> SignerState {
        guard let bytes = try state.get(key(id)) else { return SignerState(grants: []) }
        var r = BinaryReader(bytes)
        var grants: [Grant] = []
        while !r.isAtEnd {
            let sz = r.string()
            grants.append(Grant(sozialraum: Sozialraum(rawValue: sz), from: r.date()!, to: r.date()))
        }
        return SignerState(grants: grants)
    }

    func save(_ id: String, _ state: any StateAccess) throws {
        var w = BinaryWriter()
        for g in grants { w.string(g.sozialraum?.rawValue ?? ""); w.date(g.from); w.date(g.to) }
        try state.put(Self.key(id), w.bytes)
    }

    /// Whether the signer may sign for `sozialraum` on `date`.
    func authorises(_ sozialraum: Sozialraum, on date: CalendarDate) -> Bool {
        grants.contains { g in
            (g.sozialraum == nil || g.sozialraum == sozialraum) && g.from <= date && (g.to.map { date <= $0 } ?? true)
        }
    }
}

/// A staff member of a Träger's team.
struct StaffState {
    var traeger: String
    var sozialraum: Sozialraum
    var from: CalendarDate
    var to: CalendarDate?

    static func key(_ id: String) -> [UInt8] { stateKey("st", id) }

    static func load(_ id: String, _ state: any StateAccess) throws -> StaffState? {
        guard let bytes = try state.get(key(id)) else { return nil }
        var r = BinaryReader(bytes)
        return StaffState(traeger: r.string(), sozialraum: Sozialraum(rawValue: r.string()) ?? .konz, from: r.date()!, to: r.date())
    }

    func save(_ id: String, _ state: any StateAccess) throws {
        var w = BinaryWriter()
        w.string(traeger); w.string(sozialraum.rawValue); w.date(from); w.date(to)
        try state.put(Self.key(id), w.bytes)
    }
}
