import Testing
@testable import LedgerCore

/// The reconciliation totals replay into ``ReplayState``: it must answer every read exactly as
/// ``MemoryState`` does, whatever was indexed when.
@Suite struct ReplayStateTests {
    @Test func readsAnswerAsMemoryStateDoesThroughRandomWritesAndDeletes() throws {
        var rng = SystemRandomNumberGenerator()
        // Few distinct bytes, so that keys share prefixes and `last` often lands between keys.
        func key() -> [UInt8] { (0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 0x61...0x63, using: &rng) } }
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
