import Testing
@testable import LedgerCore

/// The reconciliation totals replay into ``ReplayState``: it must answer every read exactly as
/// ``MemoryState`` does, whatever was indexed when.
@Suite struct ReplayStateTests {
    @Test func readsAnswerAsMemoryStateDoesThroughRandomWritesAndDeletes() throws {
        var rng = SystemRandomNumberGenerator()
        // Few distinct bytes, "/" among them (it ends an indexed segment), so that keys share
        // prefixes and `last` often lands between keys.
        let bytes: [UInt8] = [0x2F, 0x61, 0x62, 0x63]
        func key() -> [UInt8] { (0..<Int.random(in: 0...5, using: &rng)).map { _ in bytes.randomElement(using: &rng)! } }
        let replay = ReplayState(), memory = MemoryState()
        for step in 0..<3_000 {
            let k = key()
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let v = [UInt8(step & 0xFF)]
                try replay.put(k, v)
                try memory.put(k, v)
            case 5..<7:
                try replay.delete(k)
                try memory.delete(k)
            case 7..<9:
                var a: [[UInt8]] = [], b: [[UInt8]] = []
                try replay.scan(prefix: k) { key, value in a.append(key + value); return true }
                try memory.scan(prefix: k) { key, value in b.append(key + value); return true }
                #expect(a == b, "scan \(k) at step \(step)")
            default:
                let prefix = Array(k.prefix(Int.random(in: 0...k.count, using: &rng)))
                let a = try replay.last(prefix: prefix, atMost: k), b = try memory.last(prefix: prefix, atMost: k)
                #expect(a?.key == b?.key && a?.value == b?.value, "last \(prefix) ≤ \(k) at step \(step)")
            }
            #expect(try replay.get(k) == memory.get(k))
        }
        #expect(replay.count == memory.count)
    }
}
