import Dispatch

/// Monotonic time in nanoseconds (Dispatch's uptime clock: `CLOCK_MONOTONIC` on Linux; not
/// `clock_gettime` directly, whose `timespec` the NIO modules linked in for the HTTP figures
/// claim as theirs under member import visibility).
@inline(__always)
func nowNanos() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

/// Runs `body` and returns the seconds it took.
@inline(__always)
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = nowNanos()
    try body()
    return Double(nowNanos() - start) / 1e9
}

/// Latencies of repeated operations, in seconds.
struct Latencies {
    private(set) var samples: [Double] = []

    mutating func add(_ s: Double) { samples.append(s) }

    /// The `p`-th percentile (0…100), nearest rank.
    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var total: Double { samples.reduce(0, +) }
}
