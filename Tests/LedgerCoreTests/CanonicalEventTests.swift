import Foundation
import Testing
@testable import LedgerCore

/// The fast read of bookings, payments and reversals from canonical bytes
/// (``DomainEvent/init(canonicalData:type:)``) may decline anything, but what it accepts the full
/// path accepts too, with the same event: for valid events and for every kind of damage to them.
@Suite struct CanonicalEventTests {
    static let valid: [(EventType, JSONObject)] = ([
        (.hoursBooked, ["booking": "b-1", "kontrakt": "k-1", "date": "2025-05-02", "minutes": 90]),
        (.hoursBooked, ["booking": "b-2", "kontrakt": "k-1", "date": "2024-02-29", "minutes": 1, "staff": "fk-3", "jugendamt": "trier-saarburg"]),
        (.preventionBooked, ["booking": "p-1", "traeger": "caritas", "sozialraum": "konz", "date": "2025-05-02", "minutes": 120,
                             "category": "netzwerk"]),
        (.paymentBooked, ["payment": "z-1", "traeger": "caritas", "sozialraum": "saarburg", "payee": "caritas", "funding": "variabel",
                          "amountCents": 123_456, "date": "2025-06-30", "kontrakt": "k-1"]),
        (.paymentBooked, ["payment": "z-2", "traeger": "caritas", "sozialraum": "konz", "payee": "x.y_z-1", "funding": "personalisiert",
                          "amountCents": 1_000_000_000_000, "date": "2025-06-30"]),
        (.bookingReversed, ["booking": "b-1", "reason": "storno"]),
    ] as [(EventType, JSON)]).map { ($0.0, $0.1.object!) }

    /// Values that break one field's rule, or the layout.
    static let badValues: [JSON] = [
        .null, .int(0), .int(-1), .int(10_000_001), .int(1_000_000_000_001), .string(""), .string("B-1"), .string("2025-02-30"),
        .string("2025-5-2"), .string("unbekannt"), .string("a\"b"), .string("ä"), .bool(true), .array([]), .object(JSONObject()),
    ]

    func check(_ type: EventType, _ bytes: [UInt8], _ note: String) throws {
        let fast = bytes.withUnsafeBytes { DomainEvent(canonicalData: $0, type: type) }
        guard let fast else { return }
        // Accepted: the full path must accept the same bytes and give the same event.
        guard case .object(let o) = try JSONParser.parse(bytes) else { Issue.record("not an object: \(note)"); return }
        let full = try DomainEvent(type: type.rawValue, data: o)
        #expect(full == fast, "\(note)")
    }

    func canonical(_ o: JSONObject) -> [UInt8] {
        var w = CanonicalWriter()
        w.object(o)
        return w.bytes
    }

    @Test func validEventsAreReadAsTheFullPathReadsThem() throws {
        for (type, data) in Self.valid {
            let bytes = canonical(data)
            let fast = bytes.withUnsafeBytes { DomainEvent(canonicalData: $0, type: type) }
            #expect(fast != nil, "\(type) \(data)")
            try check(type, bytes, "\(type) valid")
        }
    }

    @Test func damagedEventsAreDeclinedOrReadAsTheFullPathReadsThem() throws {
        var cases = 0
        for (type, data) in Self.valid {
            var declined = 0
            for name in data.keys {
                // Without the field, with another value in it, and with an unknown field beside it.
                var without = data
                without[name] = nil
                try check(type, canonical(without), "\(type) without \(name)")
                for bad in Self.badValues {
                    var changed = data
                    changed[name] = bad
                    let bytes = canonical(changed)
                    if bytes.withUnsafeBytes({ DomainEvent(canonicalData: $0, type: type) }) == nil { declined += 1 }
                    try check(type, bytes, "\(type) \(name) = \(bad)")
                    cases += 1
                }
            }
            var extra = data
            extra["zzz"] = "1"
            #expect(canonical(extra).withUnsafeBytes { DomainEvent(canonicalData: $0, type: type) } == nil)
            #expect(declined > 0)
            // Other layouts: whitespace, a leading zero, a duplicate member, truncation, another type.
            let text = String(decoding: canonical(data), as: UTF8.self)
            for odd in [text.replacingOccurrences(of: ",", with: ", "), text.replacingOccurrences(of: ":1", with: ":01"),
                        String(text.dropLast()) + "," + String(text.dropFirst().prefix { $0 != "," }) + "}",
                        String(text.dropLast()), text + " ", "{}", "[]"] {
                try check(type, Array(odd.utf8), "\(type) odd \(odd)")
            }
            #expect(canonical(data).withUnsafeBytes { DomainEvent(canonicalData: $0, type: .kontraktSigned) } == nil)
        }
        #expect(cases > 300)
    }
}
