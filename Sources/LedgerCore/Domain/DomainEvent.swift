/// A head as carried in `ReconciliationRecorded`.
public struct HeadRef: Equatable, Hashable, Sendable {
    public var seq: UInt64
    public var hash: Digest32
    public init(seq: UInt64, hash: Digest32) {
        self.seq = seq
        self.hash = hash
    }
    public var json: JSON { ["hash": .string(hash.hex), "seq": .int(Int64(seq))] }
}

/// An event with typed data: what the rules, the projector and the reconciler read.
public enum DomainEvent: Equatable, Sendable {
    case agreementSigned(AgreementSigned)
    case budgetSet(BudgetSet)
    case tariffAdjusted(TariffAdjusted)
    case signerAuthorized(SignerChange)
    case signerRevoked(SignerChange)
    case staffAssigned(StaffAssigned)
    case staffLeft(StaffLeft)
    case kontraktSigned(KontraktSigned)
    case kontraktAmended(KontraktAmended)
    case kontraktEnded(KontraktEnded)
    case hoursBooked(HoursBooked)
    case preventionBooked(PreventionBooked)
    case paymentBooked(PaymentBooked)
    case bookingReversed(BookingReversed)
    case fundsReallocated(FundsReallocated)
    case quarterClosed(QuarterClosed)
    case reconciliationRecorded(ReconciliationRecorded)
    case yearEndSettled(YearEndSettled)

    public struct AgreementSigned: Equatable, Sendable {
        public var agreement: String, traeger: String, sozialraum: Sozialraum
        public var validFrom: CalendarDate, validTo: CalendarDate
        public var stellenfaktorCents: Int64, jahresarbeitszeitMinutes: Int64, planstellenHundredths: Int64
    }
    public struct BudgetSet: Equatable, Sendable {
        public var sozialraum: Sozialraum, year: Int, gesamtCents: Int64
    }
    public struct TariffAdjusted: Equatable, Sendable {
        public var effectiveFrom: CalendarDate, basisPoints: Int64, sozialraum: Sozialraum?
    }
    /// `SignerAuthorized` (`date` = from) or `SignerRevoked` (`date` = to).
    public struct SignerChange: Equatable, Sendable {
        public var signer: String, sozialraum: Sozialraum?, date: CalendarDate
    }
    public struct StaffAssigned: Equatable, Sendable {
        public var staff: String, traeger: String, sozialraum: Sozialraum, qualification: Qualification
        public var stellenumfangPercent: Int64, from: CalendarDate
    }
    public struct StaffLeft: Equatable, Sendable {
        public var staff: String, to: CalendarDate
    }
    public struct KontraktSigned: Equatable, Sendable {
        public var kontrakt: String, fall: String, sozialraum: Sozialraum, traeger: String
        public var hilfeart: Hilfeart, funding: Funding, grantedMinutes: Int64
        public var validFrom: CalendarDate, validTo: CalendarDate, signedBy: String
    }
    public struct KontraktAmended: Equatable, Sendable {
        public var kontrakt: String, effectiveFrom: CalendarDate, signedBy: String
        public var hilfeart: Hilfeart?, funding: Funding?, grantedMinutes: Int64?, validTo: CalendarDate?
    }
    public struct KontraktEnded: Equatable, Sendable {
        public var kontrakt: String, endedOn: CalendarDate, reason: EndReason
    }
    public struct HoursBooked: Equatable, Sendable {
        public var booking: String, kontrakt: String, date: CalendarDate, minutes: Int64, staff: String?
    }
    public struct PreventionBooked: Equatable, Sendable {
        public var booking: String, traeger: String, sozialraum: Sozialraum, date: CalendarDate
        public var minutes: Int64, category: PreventionCategory
    }
    public struct PaymentBooked: Equatable, Sendable {
        public var payment: String, traeger: String, sozialraum: Sozialraum, payee: String, funding: Funding
        public var amountCents: Int64, date: CalendarDate, kontrakt: String?
    }
    public struct BookingReversed: Equatable, Sendable {
        public var booking: String, reason: String
    }
    public struct FundsReallocated: Equatable, Sendable {
        public var sozialraum: Sozialraum, year: Int, from: ReallocationSource, amountCents: Int64, decidedBy: String
    }
    public struct QuarterClosed: Equatable, Sendable {
        public var year: Int, quarter: Int
    }
    public struct ReconciliationRecorded: Equatable, Sendable {
        public var year: Int, quarter: Int, counterparty: String, ownHead: HeadRef, counterpartyHead: HeadRef
        public var reportHash: Digest32, findings: Int64, reportSignature: String?
    }
    public struct YearEndSettled: Equatable, Sendable {
        public var traeger: String, sozialraum: Sozialraum, year: Int, actualPersonnelCents: Int64
    }
}

extension DomainEvent {
    /// Checks `data` against the type's fields and builds the typed event. The message of a
    /// refusal names the field and the rule.
    public init(type typeName: String, data: JSONObject) throws(ValidationError) {
        guard let type = EventType(rawValue: typeName) else {
            throw ValidationError(field: "type", "type \"\(typeName)\" is unknown; known types are \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let f = try Fields(type: type, data: data)
        switch type {
        case .agreementSigned:
            self = .agreementSigned(.init(
                agreement: f.id("agreement"), traeger: f.id("traeger"), sozialraum: f.sozialraum("sozialraum")!,
                validFrom: f.date("validFrom")!, validTo: f.date("validTo")!, stellenfaktorCents: f.int("stellenfaktorCents")!,
                jahresarbeitszeitMinutes: f.int("jahresarbeitszeitMinutes")!, planstellenHundredths: f.int("planstellenHundredths")!))
        case .budgetSet:
            self = .budgetSet(.init(sozialraum: f.sozialraum("sozialraum")!, year: Int(f.int("year")!), gesamtCents: f.int("gesamtCents")!))
        case .tariffAdjusted:
            self = .tariffAdjusted(.init(effectiveFrom: f.date("effectiveFrom")!, basisPoints: f.int("basisPoints")!,
                                         sozialraum: f.sozialraum("sozialraum")))
        case .signerAuthorized:
            self = .signerAuthorized(.init(signer: f.id("signer"), sozialraum: f.sozialraum("sozialraum"), date: f.date("from")!))
        case .signerRevoked:
            self = .signerRevoked(.init(signer: f.id("signer"), sozialraum: f.sozialraum("sozialraum"), date: f.date("to")!))
        case .staffAssigned:
            self = .staffAssigned(.init(
                staff: f.id("staff"), traeger: f.id("traeger"), sozialraum: f.sozialraum("sozialraum")!,
                qualification: Qualification(rawValue: f.string("qualification")!)!,
                stellenumfangPercent: f.int("stellenumfangPercent")!, from: f.date("from")!))
        case .staffLeft:
            self = .staffLeft(.init(staff: f.id("staff"), to: f.date("to")!))
        case .kontraktSigned:
            self = .kontraktSigned(.init(
                kontrakt: f.id("kontrakt"), fall: f.id("fall"), sozialraum: f.sozialraum("sozialraum")!, traeger: f.id("traeger"),
                hilfeart: Hilfeart(rawValue: f.string("hilfeart")!)!, funding: Funding(rawValue: f.string("funding")!)!,
                grantedMinutes: f.int("grantedMinutes")!, validFrom: f.date("validFrom")!, validTo: f.date("validTo")!,
                signedBy: f.id("signedBy")))
        case .kontraktAmended:
            let amended = KontraktAmended(
                kontrakt: f.id("kontrakt"), effectiveFrom: f.date("effectiveFrom")!, signedBy: f.id("signedBy"),
                hilfeart: f.string("hilfeart").flatMap(Hilfeart.init(rawValue:)),
                funding: f.string("funding").flatMap(Funding.init(rawValue:)),
                grantedMinutes: f.int("grantedMinutes"), validTo: f.date("validTo"))
            if amended.hilfeart == nil, amended.funding == nil, amended.grantedMinutes == nil, amended.validTo == nil {
                throw ValidationError(field: "data", "a KontraktAmended must change at least one of hilfeart, funding, grantedMinutes or validTo")
            }
            self = .kontraktAmended(amended)
        case .kontraktEnded:
            self = .kontraktEnded(.init(kontrakt: f.id("kontrakt"), endedOn: f.date("endedOn")!,
                                        reason: EndReason(rawValue: f.string("reason")!)!))
        case .hoursBooked:
            self = .hoursBooked(.init(booking: f.id("booking"), kontrakt: f.id("kontrakt"), date: f.date("date")!,
                                      minutes: f.int("minutes")!, staff: f.string("staff")))
        case .preventionBooked:
            self = .preventionBooked(.init(
                booking: f.id("booking"), traeger: f.id("traeger"), sozialraum: f.sozialraum("sozialraum")!,
                date: f.date("date")!, minutes: f.int("minutes")!,
                category: PreventionCategory(rawValue: f.string("category")!)!))
        case .paymentBooked:
            self = .paymentBooked(.init(
                payment: f.id("payment"), traeger: f.id("traeger"), sozialraum: f.sozialraum("sozialraum")!, payee: f.id("payee"),
                funding: Funding(rawValue: f.string("funding")!)!, amountCents: f.int("amountCents")!, date: f.date("date")!,
                kontrakt: f.string("kontrakt")))
        case .bookingReversed:
            self = .bookingReversed(.init(booking: f.id("booking"), reason: f.id("reason")))
        case .fundsReallocated:
            self = .fundsReallocated(.init(
                sozialraum: f.sozialraum("sozialraum")!, year: Int(f.int("year")!),
                from: ReallocationSource(rawValue: f.string("from")!)!, amountCents: f.int("amountCents")!, decidedBy: f.id("decidedBy")))
        case .quarterClosed:
            self = .quarterClosed(.init(year: Int(f.int("year")!), quarter: Int(f.int("quarter")!)))
        case .reconciliationRecorded:
            self = .reconciliationRecorded(.init(
                year: Int(f.int("year")!), quarter: Int(f.int("quarter")!), counterparty: f.id("counterparty"),
                ownHead: f.head("ownHead")!, counterpartyHead: f.head("counterpartyHead")!,
                reportHash: Digest32(hex: f.string("reportHash")!)!, findings: f.int("findings")!,
                reportSignature: f.string("reportSignature")))
        case .yearEndSettled:
            self = .yearEndSettled(.init(traeger: f.id("traeger"), sozialraum: f.sozialraum("sozialraum")!,
                                         year: Int(f.int("year")!), actualPersonnelCents: f.int("actualPersonnelCents")!))
        }
    }

    /// The event's type.
    public var type: EventType {
        switch self {
        case .agreementSigned: .agreementSigned
        case .budgetSet: .budgetSet
        case .tariffAdjusted: .tariffAdjusted
        case .signerAuthorized: .signerAuthorized
        case .signerRevoked: .signerRevoked
        case .staffAssigned: .staffAssigned
        case .staffLeft: .staffLeft
        case .kontraktSigned: .kontraktSigned
        case .kontraktAmended: .kontraktAmended
        case .kontraktEnded: .kontraktEnded
        case .hoursBooked: .hoursBooked
        case .preventionBooked: .preventionBooked
        case .paymentBooked: .paymentBooked
        case .bookingReversed: .bookingReversed
        case .fundsReallocated: .fundsReallocated
        case .quarterClosed: .quarterClosed
        case .reconciliationRecorded: .reconciliationRecorded
        case .yearEndSettled: .yearEndSettled
        }
    }
}

/// Checks an event's `data` against its ``FieldSpec``s and reads typed values.
struct Fields {
    let type: EventType
    let data: JSONObject

    /// The optional `jugendamt` field every event may carry on a Träger's ledger.
    static let counterpartyField = FieldSpec("jugendamt", .id, required: false)

    init(type: EventType, data: JSONObject) throws(ValidationError) {
        self.type = type
        self.data = data
        let specs = type.fields
        for m in data.members where !specs.contains(where: { $0.name == m.key }) && m.key != Self.counterpartyField.name {
            throw ValidationError(field: "data.\(m.key)", "\(type.rawValue) has no field \"\(m.key)\"; its fields are \(specs.map(\.name).joined(separator: ", "))")
        }
        for spec in specs + [Self.counterpartyField] {
            guard let value = data[spec.name] else {
                if spec.required { throw ValidationError(field: "data.\(spec.name)", "\(type.rawValue) needs data.\(spec.name)") }
                continue
            }
            try Self.check(value, spec, type)
        }
    }

    static func check(_ value: JSON, _ spec: FieldSpec, _ type: EventType) throws(ValidationError) {
        let field = "data.\(spec.name)"
        func refuse(_ rule: String) -> ValidationError { ValidationError(field: field, "\(field) \(rule)") }
        switch spec.kind {
        case .id:
            guard case .string(let s) = value else { throw refuse("must be a string id") }
            guard Identifier.isValid(s) else { throw refuse("must be a pseudonymous id (\(Identifier.rule)), got \"\(s)\"") }
        case .date:
            guard case .string(let s) = value, CalendarDate(s) != nil else { throw refuse("must be a date YYYY-MM-DD") }
        case .cents, .minutes, .workingYearMinutes, .hundredths, .year, .quarter, .basisPoints, .percent, .count:
            guard case .int(let i) = value else {
                if case .string = value { throw refuse("must be a whole number, not a string") }
                throw refuse("must be a whole number")
            }
            let range = spec.kind.range!
            guard range.contains(i) else {
                switch spec.kind {
                case .cents where i < 1: throw refuse("must be greater than zero (euro cents)")
                case .minutes where i < 1: throw refuse("must be greater than zero (minutes)")
                case .cents: throw refuse("must be at most \(range.upperBound) (euro cents)")
                case .minutes: throw refuse("must be at most \(range.upperBound) (minutes)")
                default: throw refuse("must be between \(range.lowerBound) and \(range.upperBound)")
                }
            }
        case .sozialraum, .hilfeart, .funding, .qualification, .endReason, .preventionCategory, .reallocationSource:
            guard case .string(let s) = value else { throw refuse("must be a string") }
            let allowed = spec.kind.allowedValues!
            guard allowed.contains(s) else {
                if spec.kind == .hilfeart, let reason = Hilfeart.exclusionReason(s) { throw refuse("is refused: \(reason)") }
                throw refuse("must be one of \(allowed.joined(separator: ", ")), got \"\(s)\"")
            }
        case .ledgerName:
            guard case .string(let s) = value, LedgerName(s) != nil else { throw refuse("must be jugendamt:<org> or traeger:<org>") }
        case .hex64:
            guard case .string(let s) = value, Digest32(hex: s) != nil else { throw refuse("must be 64 lower-case hex digits") }
        case .hex128:
            guard case .string(let s) = value, s.utf8.count == 128, s.utf8.allSatisfy({ Digest32.nibble($0) != nil }) else {
                throw refuse("must be 128 lower-case hex digits")
            }
        case .head:
            guard case .object(let o) = value, o.count == 2, case .int(let seq)? = o["seq"], seq >= 0,
                  case .string(let h)? = o["hash"], Digest32(hex: h) != nil else {
                throw refuse("must be {\"seq\": <number ≥ 0>, \"hash\": <64 hex digits>}")
            }
        }
    }

    func id(_ name: String) -> String { data[name]!.string! }
    func string(_ name: String) -> String? { data[name]?.string }
    func int(_ name: String) -> Int64? { data[name]?.int }
    func date(_ name: String) -> CalendarDate? { data[name]?.string.flatMap { CalendarDate($0) } }
    func sozialraum(_ name: String) -> Sozialraum? { data[name]?.string.flatMap(Sozialraum.init(rawValue:)) }
    func head(_ name: String) -> HeadRef? {
        guard let o = data[name]?.object, let seq = o["seq"]?.int, let h = o["hash"]?.string, let d = Digest32(hex: h) else { return nil }
        return HeadRef(seq: UInt64(seq), hash: d)
    }
}
