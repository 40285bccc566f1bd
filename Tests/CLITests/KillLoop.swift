import Foundation
import LedgerGen
#if canImport(Glibc)
import Glibc
#endif

/// Writers SIGKILLed at random moments, two at a time: the set-up and the loop that the crash
/// tests share. It keeps what the caller checks afterwards: the keys acknowledged (exit 0), the
/// kills that landed, and anything that went wrong on the way. Seeded from the system's
/// generator; ``tag`` names the seed, so that a failing run can be replayed.
struct KillLoop {
    /// One writer run: an `append` of one key or an `import` of a file of keys.
    struct Job {
        let args: [String]
        let keys: [String]
        /// `append` or `import`.
        var command: String { args[0] }
    }

    let seed: UInt64
    var random: SplitMix64
    var tag: String { "seed \(seed)" }
    /// How long each command takes here unkilled (the longest calibration run).
    var usual: [String: Duration] = [:]
    var acknowledged = Set<String>()
    var kills = 0, finished = 0, rounds = 0
    var failures: [String] = []
    private var appends = 0

    init() {
        var system = SystemRandomNumberGenerator()
        seed = UInt64.random(in: 0...UInt64.max, using: &system)
        random = SplitMix64(seed: seed)
    }

    /// One job in three imports one of `imports` (whole files, so an import is all or nothing);
    /// the others are `append(n)` for n = 1, 2, 3, …
    mutating func nextJob(imports: [(path: String, keys: [String])], ledger: String, append: (Int) -> Job) -> Job {
        if Int.random(in: 0..<3, using: &random) == 0 {
            let f = imports[Int.random(in: 0..<imports.count, using: &random)]
            return Job(args: ["import", ledger, f.path], keys: f.keys)
        }
        appends += 1
        return append(appends)
    }

    /// Runs `jobs` one by one, unkilled: each must succeed; their keys are acknowledged and
    /// their times set ``usual``.
    mutating func calibrate(_ jobs: [Job]) throws {
        for job in jobs {
            let start = ContinuousClock.now
            let r = try CLI.run(job.args)
            guard r.status == 0 else { throw Subprocess.Failure(description: "\(job.args.prefix(2)) failed unkilled: \(r)") }
            acknowledged.formUnion(job.keys)
            usual[job.command] = max(usual[job.command] ?? .zero, .now - start)
        }
    }

    /// One round: `jobs` run at once, each SIGKILLed at a random moment within about its usual
    /// run time, or (one in six) left to finish. Counts the kills, acknowledges what finished
    /// with exit 0, and notes any other end (or a child hung past 20 seconds) in ``failures``.
    mutating func round(_ jobs: [Job]) throws {
        rounds += 1
        var running: [(job: Job, child: Subprocess.Child, killAt: ContinuousClock.Instant?)] = []
        for job in jobs {
            let fraction = Double.random(in: 0.05...1.3, using: &random)
            let leftAlone = Int.random(in: 0..<6, using: &random) == 0
            let killAt: ContinuousClock.Instant? = leftAlone ? nil : .now + (usual[job.command] ?? .milliseconds(50)) * fraction
            running.append((job, try CLI.start(job.args), killAt))
        }
        for (job, child, killAt) in running {
            var result: ProcessResult?
            while result == nil {
                if let r = child.poll() { result = r; break }
                if let killAt, ContinuousClock.now >= killAt { result = child.kill(); break }
                if ContinuousClock.now - child.started > .seconds(20) {
                    result = child.kill(reason: "hung")
                    failures.append("\(job.args.prefix(2)) hung: \(result!)")
                    break
                }
                usleep(200)
            }
            let r = result!
            if r.signal == SIGKILL {
                kills += 1
            } else if r.status == 0 {
                finished += 1
                acknowledged.formUnion(job.keys)
            } else {
                failures.append("\(job.args.prefix(2)) exited \(r)")
            }
        }
    }
}
