/// The bulk of a log's events (bookings, payments, reversals) read straight from their canonical
/// `data` bytes, for passes over millions of records (the reconciler's).
///
/// Accepts only a flat object of strings without escapes and whole numbers, whose members are the
/// type's fields (``EventType/fields``, plus the optional `jugendamt`), each checked exactly as
/// ``DomainEvent/init(type:data:)`` checks it. Anything else — another type, a missing or unknown
/// member, a value that fails its check, `null`, an escape — answers `nil`, and the caller takes
/// the full path, whose verdict and message are the reference. So this path may decline what is
/// valid, but never accepts what the full path refuses, and gives the same event when it accepts.
extension DomainEvent {
    public init?(canonicalData bytes: UnsafeRawBufferPointer, type: EventType) {
        let specs: Specs
        switch type {
        case .hoursBooked: specs = Self.hoursSpecs
        case .preventionBooked: specs = Self.preventionSpecs
        case .paymentBooked: specs = Self.paymentSpecs
        case .bookingReversed: specs = Self.reversalSpecs
        default: return nil
        }
        guard let values = Self.flatMembers(bytes, specs.fields, specs.names) else { return nil }
        func string(_ i: Int) -> String? { values.strings[i] }
        func int(_ i: Int) -> Int64? { values.ints[i] }
        // Indexes follow the order of the specs above (EventType.fields, then `jugendamt`).
        switch type {
        case .hoursBooked:
            guard let booking = string(0), let kontrakt = string(1), let date = values.dates[2], let minutes = int(3) else { return nil }
            self = .hoursBooked(.init(booking: booking, kontrakt: kontrakt, date: date, minutes: minutes, staff: string(4)))
        case .preventionBooked:
            guard let booking = string(0), let traeger = string(1), let sz = string(2).flatMap(Sozialraum.init(rawValue:)),
                  let date = values.dates[3], let minutes = int(4), let category = string(5).flatMap(PreventionCategory.init(rawValue:))
            else { return nil }
            self = .preventionBooked(.init(booking: booking, traeger: traeger, sozialraum: sz, date: date, minutes: minutes, category: category))
        case .paymentBooked:
            guard let payment = string(0), let traeger = string(1), let sz = string(2).flatMap(Sozialraum.init(rawValue:)),
                  let payee = string(3), let funding = string(4).flatMap(Funding.init(rawValue:)), let amount = int(5),
                  let date = values.dates[6] else { return nil }
            self = .paymentBooked(.init(payment: payment, traeger: traeger, sozialraum: sz, payee: payee, funding: funding,
                                        amountCents: amount, date: date, kontrakt: string(7)))
        case .bookingReversed:
            guard let booking = string(0), let reason = string(1) else { return nil }
            self = .bookingReversed(.init(booking: booking, reason: reason))
        default:
            return nil
        }
    }

    /// A type's fields (then `jugendamt`), with their names in UTF-8.
    private struct Specs {
        let fields: [FieldSpec]
        let names: [[UInt8]]
        init(_ type: EventType) {
            fields = type.fields + [Fields.counterpartyField]
            names = fields.map { Array($0.name.utf8) }
        }
    }

    private static let hoursSpecs = Specs(.hoursBooked)
    private static let preventionSpecs = Specs(.preventionBooked)
    private static let paymentSpecs = Specs(.paymentBooked)
    private static let reversalSpecs = Specs(.bookingReversed)

    private struct Values {
        var strings: [String?]
        var ints: [Int64?]
        var dates: [CalendarDate?]
    }

    /// The members of a flat canonical object, each matched to its spec and checked; `nil` when
    /// anything is not as the fast path expects.
    private static func flatMembers(_ bytes: UnsafeRawBufferPointer, _ specs: [FieldSpec], _ names: [[UInt8]]) -> Values? {
        var v = Values(strings: Array(repeating: nil, count: specs.count), ints: Array(repeating: nil, count: specs.count),
                       dates: Array(repeating: nil, count: specs.count))
        guard var s = CanonicalRecordScan.Scanner(bytes), s.byte(UInt8(ascii: "{")) else { return nil }
        repeat {
            guard let key = s.string(), s.byte(UInt8(ascii: ":")) else { return nil }
            let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[key])
            guard let index = names.firstIndex(where: { $0.count == keyBytes.count && keyBytes.elementsEqual($0) }) else { return nil }
            let spec = specs[index]
            guard v.strings[index] == nil, v.ints[index] == nil, v.dates[index] == nil else { return nil }
            if s.peek == UInt8(ascii: "\"") {
                guard let r = s.string() else { return nil }
                let text = UnsafeRawBufferPointer(rebasing: bytes[r])
                switch spec.kind {
                case .id:
                    guard Identifier.isValid(utf8: text.assumingMemoryBound(to: UInt8.self)) else { return nil }
                    v.strings[index] = String(decoding: text, as: UTF8.self)
                case .date:
                    guard let d = CalendarDate(utf8: text) else { return nil }
                    v.dates[index] = d
                case .sozialraum, .hilfeart, .funding, .qualification, .endReason, .preventionCategory, .reallocationSource:
                    let text = String(decoding: text, as: UTF8.self)
                    guard spec.kind.allowedValues!.contains(text) else { return nil }
                    v.strings[index] = text
                default: return nil
                }
            } else {
                // A whole number as canonical JSON writes it: no sign, no leading zero, ≤ 18 digits
                // (above 0: no field of these types allows 0).
                guard let range = spec.kind.range, let value = s.positive(), range.contains(Int64(value)) else { return nil }
                v.ints[index] = Int64(value)
            }
        } while s.byte(UInt8(ascii: ","))
        guard s.byte(UInt8(ascii: "}")), s.pos == s.end else { return nil }
        // Every required field present.
        for (index, spec) in specs.enumerated() where spec.required {
            guard v.strings[index] != nil || v.ints[index] != nil || v.dates[index] != nil else { return nil }
        }
        return v
    }
}
