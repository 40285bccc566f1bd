import LedgerCore

// The generator's picture of the district, from which it writes the events.

/// A Träger in a Sozialraum.
struct Pair: Hashable, Comparable {
    let traeger: String
    let sozialraum: Sozialraum
    static func < (a: Pair, b: Pair) -> Bool { (a.sozialraum, a.traeger) < (b.sozialraum, b.traeger) }
}

/// One event waiting for its place in a ledger.
struct Item {
    var at: Timestamp
    var ordinal: Int
    var type: EventType
    var key: String
    var actor: String?
    var data: JSONObject
    var removed = false
}

struct AgreementModel {
    let id: String
    let validFrom: CalendarDate
    let validTo: CalendarDate
    let stellenfaktorCents: Int64
    let jahresarbeitszeitMinutes: Int64
    let planstellenHundredths: Int64
    var flsCentsPerHour: Int64 { Money.divideRoundingHalfUp(stellenfaktorCents * 60, jahresarbeitszeitMinutes) }
}

struct SignerModel {
    let id: String
    let sozialraum: Sozialraum?
    let from: CalendarDate
    var to: CalendarDate?
    func authorises(_ sz: Sozialraum, on date: CalendarDate) -> Bool {
        (sozialraum == nil || sozialraum == sz) && from <= date && (to.map { date <= $0 } ?? true)
    }
}

/// A post in a Träger's team, held by one staff member after another.
struct Slot {
    struct Occupant { let staff: String; let from: CalendarDate; var to: CalendarDate? }
    let qualification: Qualification
    let percent: Int64
    var occupants: [Occupant]
    func occupant(on date: CalendarDate) -> String? {
        occupants.first { $0.from <= date && ($0.to.map { date <= $0 } ?? true) }?.staff
    }
}

struct BookingModel {
    let id: String
    let date: CalendarDate
    var minutes: Int64
    let staff: String?
    let jaAt: Timestamp
    let trAt: Timestamp
    var reversed = false
    /// A correction or duplicate (not a candidate for planting).
    var special = false
}

final class KontraktModel {
    let id: String
    let fall: String
    let pair: Pair
    let funding: Funding
    var hilfeart: Hilfeart
    let profile: HilfeProfile
    let validFrom: CalendarDate
    var validTo: CalendarDate
    /// First day whose hours this ledger holds (January 1 for Kontrakte carried over).
    let grantStart: CalendarDate
    var grantedMinutes: Int64
    let signedBy: String
    let slot: Int?
    var endedOn: CalendarDate?
    var amended = false
    var beyondGrant = false
    var touched = false
    var bookings: [BookingModel] = []
    /// Weekly minutes from a date on (weekly model).
    var phases: [(from: CalendarDate, minutes: Int64)] = []
    /// The one amendment, if any: when it takes effect and its data.
    var amendment: (effective: CalendarDate, data: JSONObject)?
    var jaSignedAt = Timestamp(seconds: 0)
    var trSignedAt = Timestamp(seconds: 0)
    /// Grant and end as first signed (before an amendment).
    var signedGrant: Int64 = 0
    var signedValidTo: CalendarDate

    init(id: String, fall: String, pair: Pair, funding: Funding, profile: HilfeProfile, validFrom: CalendarDate,
         validTo: CalendarDate, grantStart: CalendarDate, signedBy: String, slot: Int?) {
        self.id = id; self.fall = fall; self.pair = pair; self.funding = funding; self.hilfeart = profile.hilfeart
        self.profile = profile; self.validFrom = validFrom; self.validTo = validTo; self.grantStart = grantStart
        self.grantedMinutes = 0; self.signedBy = signedBy; self.slot = slot; self.signedValidTo = validTo
    }

    var lastDay: CalendarDate { endedOn.map { min($0, validTo) } ?? validTo }

    /// The booking id prefix: `h-konz-2025-0001`.
    var bookingPrefix: String { "h" + id.dropFirst(1) }

    func rate(on date: CalendarDate) -> Int64 {
        phases.last { $0.from <= date }?.minutes ?? phases[0].minutes
    }

    /// Minutes booked and not reversed up to and including `date`.
    func booked(through date: CalendarDate) -> Int64 {
        bookings.reduce(0) { $0 + (!$1.reversed && $1.date <= date ? $1.minutes : 0) }
    }
}

struct PaymentModel {
    let id: String
    let pair: Pair
    let date: CalendarDate
    let amountCents: Int64
    var reversed: Bool
}
