import Foundation
import Testing
import LMDB
import LedgerGen
@testable import LedgerCore
@testable import LedgerStore

/// The reconciler reads records as views, in place; what it sees must be what a full decode of
/// the same record gives, from a ledger folder and from an export, on the fast path and off it.
@Suite struct RecordViewTests {
    struct Seen: Equatable {
        var seq: UInt64, recordedAt: Timestamp, type: EventType?, typeName: String, hash: Digest32
        var inStream: Bool, event: DomainEvent?
    }

    static func seen(_ view: RecordView, stream: String) -> Seen {
        Seen(seq: view.seq, recordedAt: view.recordedAt, type: view.type, typeName: view.typeName, hash: view.hash,
             inStream: view.isStream(Array(stream.utf8)), event: try? view.event())
    }

    @Test func viewsFromFoldersAndExportsEqualFullyDecodedRecords() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let generated = LandkreisGenerator.generate(GeneratorOptions(startYear: 2025, years: 1, seed: 11))
        let ledger = try Ledger.create(at: dir.sub("ja"), side: .jugendamt, org: generated.jugendamt.name.org, jugendamt: nil,
                                       policy: DomainPolicy(views: Projector()), options: testOptions)
        _ = try ledger.append(generated.jugendamt.events, preserveRecordedAt: true)
        let traeger = try #require(generated.traeger.first?.name.org)
        let stream = "traeger:\(traeger)"

        // What a full decode gives, record by record.
        var expected: [Seen] = []
        try ledger.scan(stream: stream) { _, value in
            let record = try StoredRecord.decode(value)
            expected.append(Seen(seq: record.seq, recordedAt: record.recordedAt, type: EventType(rawValue: record.type),
                                 typeName: record.type, hash: record.hash, inStream: true,
                                 event: try? DomainEvent(type: record.type, data: record.data)))
            return true
        }
        #expect(expected.count > 100)
        #expect(Set(expected.compactMap(\.type)).isSuperset(of: [.kontraktSigned, .hoursBooked, .agreementSigned]))

        // From the folder: every stored record takes the fast path and reads the same.
        // Through the stream index, and along the whole log (the other streams' records then
        // come too, marked as not in the stream).
        let source = try ReconcileSource.open(ledger: ledger)
        for along in [false, true] {
            var fromFolder: [Seen] = []
            try LedgerStreamRecords(ledger: ledger, stream: stream, asOf: nil, lastSeq: source.verified.lastSeq, alongTheLog: along)
                .forEachRecord(types: nil) { fromFolder.append(Self.seen($0, stream: stream)) }
            #expect(fromFolder.filter(\.inStream) == expected)
            #expect(fromFolder.count == (along ? source.verified.records : expected.count))
        }
        // Every stored record takes the fast path; a booking's id reads in place as it decodes.
        var peeked = 0
        try ledger.scan(stream: stream) { _, value in
            let view = RecordView(stored: StoredRecord.json(value), recordedAt: StoredRecord.recordedAt(value), hash: StoredRecord.hash(value))
            #expect(view != nil)
            switch try view?.event() {
            case .hoursBooked(let h)?:
                #expect(view?.leadingString("booking") == h.booking)
                peeked += 1
            case .preventionBooked(let p)?:
                #expect(view?.leadingString("booking") == p.booking)
            case .kontraktSigned?, .agreementSigned?:
                #expect(view?.leadingString("booking") == nil)
            default: break
            }
            return true
        }
        #expect(peeked > 50)

        // From an export of the stream, as written; then with one line spelled differently
        // (whitespace: the fast path declines it, the full parser reads the same record).
        var lines = Data()
        _ = try ledger.export(stream: stream) { lines.append(contentsOf: $0) }
        let file = dir.sub("stream.jsonl")
        try lines.write(to: URL(fileURLWithPath: file))
        var fromExport: [Seen] = []
        try ExportFileRecords(path: file, lastSeq: .max).forEachRecord(types: nil) { fromExport.append(Self.seen($0, stream: stream)) }
        #expect(fromExport == expected)

        var text = String(decoding: lines, as: UTF8.self).split(separator: "\n").map(String.init)
        let respelled = text.firstIndex { $0.contains("\"HoursBooked\"") }!
        text[respelled] = text[respelled].replacingOccurrences(of: "\"data\":{", with: "\"data\" : {")
        let odd = dir.sub("odd.jsonl")
        try Data((text.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: odd))
        #expect(Array(text[respelled].utf8).withUnsafeBytes { RecordView(line: $0) == nil })
        #expect(Array(text[respelled + 1].utf8).withUnsafeBytes { RecordView(line: $0) != nil })
        var fromOdd: [Seen] = []
        try ExportFileRecords(path: odd, lastSeq: .max).forEachRecord(types: nil) { fromOdd.append(Self.seen($0, stream: stream)) }
        #expect(fromOdd == expected)
    }
}
