import Foundation
import Testing
@testable import LedgerCore

/// The bytes a record is hashed over must never change (every stored hash depends on them):
/// a fixed record against its canonical text and SHA-256, both computed outside Swift.
@Suite("Record encoding: canonical bytes and hashes stay as they are")
struct RecordEncodingGoldenTests {
    static let prev = Digest32(hex: String(repeating: "11", count: 32))!
    static let streamPrev = Digest32(hex: String(repeating: "22", count: 32))!
    static let record = Record(
        seq: 7, recordedAt: Timestamp(seconds: 1_743_585_300), ledger: "jugendamt:trier-saarburg", stream: "traeger:awo",
        streamSeq: 3, type: "HoursBooked", key: "k-1", actor: "u-1",
        data: JSONObject([("minutes", 90), ("kontrakt", "k-9"), ("date", "2025-04-01"), ("booking", "b-1"), ("note", "ä\"\n\u{1}")]),
        prev: prev, streamPrev: streamPrev)
    static let canonical = #"{"actor":"u-1","data":{"booking":"b-1","date":"2025-04-01","kontrakt":"k-9","minutes":90,"note":"ä\"\n\u0001"},"key":"k-1","ledger":"jugendamt:trier-saarburg","prev":"1111111111111111111111111111111111111111111111111111111111111111","recordedAt":"2025-04-02T09:15:00Z","seq":7,"stream":"traeger:awo","streamPrev":"2222222222222222222222222222222222222222222222222222222222222222","streamSeq":3,"type":"HoursBooked"}"#
    /// `printf '%s' "$canonical" | sha256sum`
    static let hash = "5d8be4592cdded3f998a8a71816e9734ceebf3877975e0e48e0ef204244b44fc"

    @Test("canonical JSON without hash, and its SHA-256")
    func canonicalBytes() {
        var w = CanonicalWriter()
        let offset = Self.record.writeCanonical(into: &w, includeHash: false)
        #expect(String(decoding: w.bytes, as: UTF8.self) == Self.canonical)
        #expect(Self.record.computeHash().hex == Self.hash)
        #expect(Digest32.sha256(Array(Self.canonical.utf8)).hex == Self.hash)
        // The hash goes right after data.
        #expect(String(decoding: w.bytes[..<offset], as: UTF8.self).hasSuffix("\\u0001\"}"))
    }

    @Test("the export line carries the hash between data and key")
    func exportLine() {
        var r = Self.record
        r.hash = Digest32(hex: Self.hash)!
        let expected = Self.canonical.replacingFirst(#"},"key""#, with: #"},"hash":"\#(Self.hash)","key""#)
        #expect(r.canonicalLine == expected)
    }

    @Test("hex digests: lower case only, exactly 64 digits, round trip")
    func hex() {
        let d = Digest32(hex: Self.hash)!
        #expect(d.hex == Self.hash)
        #expect(Digest32(hex: Self.hash.uppercased()) == nil)
        #expect(Digest32(hex: String(Self.hash.dropLast())) == nil)
        #expect(Digest32(hex: Self.hash + "0") == nil)
        #expect(Digest32(hex: String(Self.hash.dropLast()) + "g") == nil)
        #expect(Digest32(hex: String(Self.hash.dropLast()) + "/") == nil)
        #expect(Digest32(hex: String(repeating: "0", count: 64)) == .zero)
        #expect(Digest32(hex: String(repeating: "f", count: 64))!.bytes == [UInt8](repeating: 0xFF, count: 32))
    }

    @Test("the in-place scan reads the chain fields of canonical bytes, and declines the rest")
    func scan() {
        let bytes = Array(Self.canonical.utf8)
        // The note holds escapes and non-ASCII: the full parser's business.
        #expect(bytes.withUnsafeBytes { CanonicalRecordScan.scan($0) } == nil)
        var plain = Self.record
        plain.data["note"] = "plain"
        var w = CanonicalWriter()
        plain.writeCanonical(into: &w, includeHash: false)
        let scanned = w.bytes.withUnsafeBytes { CanonicalRecordScan.scan($0) }
        #expect(scanned?.seq == 7)
        #expect(scanned?.streamSeq == 3)
        if let s = scanned {
            #expect(w.bytes.withUnsafeBytes { Self.prev.hexText.matches(UnsafeRawBufferPointer(rebasing: $0[s.prev])) })
            #expect(w.bytes.withUnsafeBytes { Self.streamPrev.hexText.matches(UnsafeRawBufferPointer(rebasing: $0[s.streamPrev])) })
            #expect(!w.bytes.withUnsafeBytes { Self.prev.hexText.matches(UnsafeRawBufferPointer(rebasing: $0[s.streamPrev])) })
            #expect(String(decoding: w.bytes[s.ledger], as: UTF8.self) == "jugendamt:trier-saarburg")
            #expect(String(decoding: w.bytes[s.stream], as: UTF8.self) == "traeger:awo")
            #expect(String(decoding: w.bytes[s.recordedAt], as: UTF8.self) == "2025-04-02T09:15:00Z")
        }
        var noActor = plain
        noActor.actor = nil
        w.reset()
        noActor.writeCanonical(into: &w, includeHash: false)
        #expect(w.bytes.withUnsafeBytes { CanonicalRecordScan.scan($0) }?.seq == 7)
    }
}

extension String {
    fileprivate func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}
