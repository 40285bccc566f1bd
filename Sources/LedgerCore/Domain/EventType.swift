/// The event types of CONTRACT section 2.
public enum EventType: String, CaseIterable, Sendable {
    case agreementSigned = "AgreementSigned"
    case budgetSet = "BudgetSet"
    case tariffAdjusted = "TariffAdjusted"
    case signerAuthorized = "SignerAuthorized"
    case signerRevoked = "SignerRevoked"
    case staffAssigned = "StaffAssigned"
    case staffLeft = "StaffLeft"
    case kontraktSigned = "KontraktSigned"
    case kontraktAmended = "KontraktAmended"
    case kontraktEnded = "KontraktEnded"
    case hoursBooked = "HoursBooked"
    case preventionBooked = "PreventionBooked"
    case paymentBooked = "PaymentBooked"
    case bookingReversed = "BookingReversed"
    case fundsReallocated = "FundsReallocated"
    case quarterClosed = "QuarterClosed"
    case reconciliationRecorded = "ReconciliationRecorded"
    case yearEndSettled = "YearEndSettled"

    /// Who may record it.
    public enum Recorder: Sendable { case both, jugendamt, traeger }

    public var recordedBy: Recorder {
        switch self {
        case .budgetSet, .signerAuthorized, .signerRevoked, .fundsReallocated: .jugendamt
        case .staffAssigned, .staffLeft: .traeger
        default: .both
        }
    }

    /// The fields of `data`: the single source the decoder checks against, and that the JSON
    /// Schemas in `Schemas/events/` are tested to agree with.
    public var fields: [FieldSpec] {
        switch self {
        case .agreementSigned:
            [.init("agreement", .id), .init("traeger", .id), .init("sozialraum", .sozialraum), .init("validFrom", .date),
             .init("validTo", .date), .init("stellenfaktorCents", .cents), .init("jahresarbeitszeitMinutes", .workingYearMinutes),
             .init("planstellenHundredths", .hundredths)]
        case .budgetSet:
            [.init("sozialraum", .sozialraum), .init("year", .year), .init("gesamtCents", .cents)]
        case .tariffAdjusted:
            [.init("effectiveFrom", .date), .init("basisPoints", .basisPoints), .init("sozialraum", .sozialraum, required: false)]
        case .signerAuthorized:
            [.init("signer", .id), .init("sozialraum", .sozialraum, required: false), .init("from", .date)]
        case .signerRevoked:
            [.init("signer", .id), .init("sozialraum", .sozialraum, required: false), .init("to", .date)]
        case .staffAssigned:
            [.init("staff", .id), .init("traeger", .id), .init("sozialraum", .sozialraum), .init("qualification", .qualification),
             .init("stellenumfangPercent", .percent), .init("from", .date)]
        case .staffLeft:
            [.init("staff", .id), .init("to", .date)]
        case .kontraktSigned:
            [.init("kontrakt", .id), .init("fall", .id), .init("sozialraum", .sozialraum), .init("traeger", .id),
             .init("hilfeart", .hilfeart), .init("funding", .funding), .init("grantedMinutes", .minutes),
             .init("validFrom", .date), .init("validTo", .date), .init("signedBy", .id)]
        case .kontraktAmended:
            [.init("kontrakt", .id), .init("effectiveFrom", .date), .init("signedBy", .id),
             .init("hilfeart", .hilfeart, required: false), .init("funding", .funding, required: false),
             .init("grantedMinutes", .minutes, required: false), .init("validTo", .date, required: false)]
        case .kontraktEnded:
            [.init("kontrakt", .id), .init("endedOn", .date), .init("reason", .endReason)]
        case .hoursBooked:
            [.init("booking", .id), .init("kontrakt", .id), .init("date", .date), .init("minutes", .minutes),
             .init("staff", .id, required: false)]
        case .preventionBooked:
            [.init("booking", .id), .init("traeger", .id), .init("sozialraum", .sozialraum), .init("date", .date),
             .init("minutes", .minutes), .init("category", .preventionCategory)]
        case .paymentBooked:
            [.init("payment", .id), .init("traeger", .id), .init("sozialraum", .sozialraum), .init("payee", .id),
             .init("funding", .funding), .init("amountCents", .cents), .init("date", .date),
             .init("kontrakt", .id, required: false)]
        case .bookingReversed:
            [.init("booking", .id), .init("reason", .id)]
        case .fundsReallocated:
            [.init("sozialraum", .sozialraum), .init("year", .year), .init("from", .reallocationSource),
             .init("amountCents", .cents), .init("decidedBy", .id)]
        case .quarterClosed:
            [.init("year", .year), .init("quarter", .quarter)]
        case .reconciliationRecorded:
            [.init("year", .year), .init("quarter", .quarter), .init("counterparty", .ledgerName),
             .init("ownHead", .head), .init("counterpartyHead", .head), .init("reportHash", .hex64),
             .init("findings", .count), .init("reportSignature", .hex128, required: false)]
        case .yearEndSettled:
            [.init("traeger", .id), .init("sozialraum", .sozialraum), .init("year", .year),
             .init("actualPersonnelCents", .cents)]
        }
    }
}

/// One field of an event's `data`.
public struct FieldSpec: Sendable, Equatable {
    public let name: String
    public let kind: FieldKind
    public let required: Bool

    public init(_ name: String, _ kind: FieldKind, required: Bool = true) {
        self.name = name
        self.kind = kind
        self.required = required
    }
}

/// The formats a field may have.
public enum FieldKind: Sendable, Equatable {
    /// `[a-z0-9][a-z0-9._-]{0,63}`.
    case id
    /// `YYYY-MM-DD`, a real calendar day.
    case date
    /// Euro cents: 1 to 10¹² (ten billion euros).
    case cents
    /// A span in minutes: 1 to 10,000,000 (about 19 years).
    case minutes
    /// Gross yearly working time of a full-time post: 6,000 to 1,000,000 minutes.
    case workingYearMinutes
    /// Hundredths of a full-time post: 1 to 100,000.
    case hundredths
    /// 2000 to 2100.
    case year
    /// 1 to 4.
    case quarter
    /// 1 to 10,000 (0.01 % to 100 %).
    case basisPoints
    /// 1 to 100.
    case percent
    /// An integer of 0 or more.
    case count
    case sozialraum, hilfeart, funding, qualification, endReason, preventionCategory, reallocationSource
    /// `jugendamt:<org>` or `traeger:<org>`.
    case ledgerName
    /// 64 lower-case hex digits.
    case hex64
    /// 128 lower-case hex digits.
    case hex128
    /// `{seq, hash}` of a ledger head.
    case head

    /// The allowed values of an enumeration kind.
    public var allowedValues: [String]? {
        switch self {
        case .sozialraum: Sozialraum.allCases.map(\.rawValue)
        case .hilfeart: Hilfeart.allCases.map(\.rawValue)
        case .funding: Funding.allCases.map(\.rawValue)
        case .qualification: Qualification.allCases.map(\.rawValue)
        case .endReason: EndReason.allCases.map(\.rawValue)
        case .preventionCategory: PreventionCategory.allCases.map(\.rawValue)
        case .reallocationSource: ReallocationSource.allCases.map(\.rawValue)
        default: nil
        }
    }

    /// The integer range of a number kind.
    public var range: ClosedRange<Int64>? {
        switch self {
        case .cents: 1...1_000_000_000_000
        case .minutes: 1...10_000_000
        case .workingYearMinutes: 6_000...1_000_000
        case .hundredths: 1...100_000
        case .year: 2000...2100
        case .quarter: 1...4
        case .basisPoints: 1...10_000
        case .percent: 1...100
        case .count: 0...Int64.max
        default: nil
        }
    }
}
