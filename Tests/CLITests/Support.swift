import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
struct ProcessResult: CustomStringConvertible {
    /// The exit status, or `nil` when a signal ended the process.
    var status: Int32?
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var stdout: String
    var stderr: String

    /// The lines of standard output, without empty ones.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    var description: String { "status \(status.map(String.init) ?? "-") signal \(signal.map(String.init) ?? "-"); stderr: \(stderr)" }
}

/// Runs programs as child processes with `posix_spawn`, their output going to temporary files
/// (no pipes, so a chatty child cannot block), with a way to kill them at a chosen moment.
enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A started child.
    struct Child {
        let pid: pid_t
        let stdoutPath: String
        let stderrPath: String
        let started: ContinuousClock.Instant

        /// Checks without blocking whether the child has ended.
        func poll() -> ProcessResult? {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            guard rc == pid else { return nil }
            return finish(status)
        }

        /// Waits until the child ends; kills it after `timeout`.
        func wait(timeout: Duration = .seconds(60)) -> ProcessResult {
            while true {
                if let result = poll() { return result }
                if ContinuousClock.now - started > timeout {
                    return kill(reason: "timed out after \(timeout)")
                }
                usleep(500)
            }
        }

        /// Sends SIGKILL and collects the child (which may have ended just before).
        func kill(reason: String? = nil) -> ProcessResult {
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            var result = finish(status)
            if let reason { result.stderr += "\n[test harness: \(reason)]" }
            return result
        }

        private func finish(_ status: Int32) -> ProcessResult {
            let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
            // The W* macros of <sys/wait.h> are not imported into Swift; these are their Linux definitions.
            let termSignal = status & 0x7F
            if termSignal == 0 { return ProcessResult(status: (status >> 8) & 0xFF, signal: nil, stdout: out, stderr: err) }
            return ProcessResult(status: nil, signal: termSignal, stdout: out, stderr: err)
        }
    }

    /// Starts `executable` with `arguments`; standard input comes from the file `stdinPath` (or /dev/null).
    static func start(_ executable: String, _ arguments: [String], stdinPath: String? = nil) throws -> Child {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        let child = (out: base + ".out", err: base + ".err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, child.out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, child.err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = executable.contains("/")
            ? posix_spawn(&pid, executable, &actions, nil, argv, envp)
            : posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))") }
        return Child(pid: pid, stdoutPath: child.out, stderrPath: child.err, started: .now)
    }

    /// Runs `executable` to the end, with `stdin` as its standard input.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                    timeout: Duration = .seconds(60)) throws -> ProcessResult {
        var stdinPath: String?
        if let stdin {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).in").path
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: path))
            stdinPath = path
        }
        defer { if let stdinPath { try? FileManager.default.removeItem(atPath: stdinPath) } }
        return try start(executable, arguments, stdinPath: stdinPath).wait(timeout: timeout)
    }
}

/// The built `doppelledger` executable, run as a user would.
enum CLI {
    /// The package's root folder (this file is Tests/CLITests/Support.swift).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The executable beside the test bundle (same build), else `.build/debug/doppelledger`.
    static let executable: String = {
        var candidates: [String] = []
        for path in [ProcessInfo.processInfo.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
            var url = URL(fileURLWithPath: path)
            // The bundle may be a file (Linux) or a folder Foo.xctest/Contents/MacOS/Foo (macOS).
            for _ in 0..<4 {
                url.deleteLastPathComponent()
                candidates.append(url.appendingPathComponent("doppelledger").path)
            }
        }
        candidates.append(packageRoot + "/.build/debug/doppelledger")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    /// Runs `doppelledger args…` and waits for it.
    static func run(_ args: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) throws -> ProcessResult {
        try Subprocess.run(executable, args, stdin: stdin, timeout: timeout)
    }

    /// Starts `doppelledger args…` without waiting (to kill it at a chosen moment).
    static func start(_ args: [String], stdinPath: String? = nil) throws -> Subprocess.Child {
        try Subprocess.start(executable, args, stdinPath: stdinPath)
    }
}

/// The events CLI tests append, built in this one place: valid domain events that need no
/// earlier state. With a Träger, a `PreventionBooked` (stream `traeger:<id>`); without, a
/// `TariffAdjusted` (stream `intern`). `n` makes the content differ.
enum TestEvent {
    static func type(traeger: String?) -> String { traeger == nil ? "TariffAdjusted" : "PreventionBooked" }
    static let type = "PreventionBooked"

    /// The `data` object of event number `n`; `traeger` picks its stream (`traeger:<id>`).
    static func data(_ n: Int, traeger: String? = "caritas", key: String) -> String {
        guard let traeger else {
            return #"{"basisPoints":\#(n % 10_000 + 1),"effectiveFrom":"2025-04-01"}"#
        }
        return #"{"booking":"p-\#(key)","category":"praevention","date":"2025-03-01","minutes":\#(n % 600 + 1),"sozialraum":"konz","traeger":"\#(traeger)"}"#
    }

    /// Arguments for `doppelledger append DIR …`.
    static func appendArgs(_ dir: String, key: String, n: Int, traeger: String? = "caritas", actor: String? = "asd-07") -> [String] {
        var args = ["append", dir, "--type", type(traeger: traeger), "--key", key, "--data", data(n, traeger: traeger, key: key)]
        if let actor { args += ["--actor", actor] }
        return args
    }

    /// One line of an import file.
    static func importLine(key: String, n: Int, traeger: String? = "caritas") -> String {
        #"{"type":"\#(type(traeger: traeger))","key":"\#(key)","actor":"asd-07","data":\#(data(n, traeger: traeger, key: key))}"#
    }

    /// An import file's text: events `range`, keys `prefix-n`, streams cycling through `traeger`.
    static func importText(prefix: String, _ range: Range<Int>, traeger: [String] = ["caritas", "awo"]) -> String {
        range.map { importLine(key: "\(prefix)-\($0)", n: $0, traeger: traeger[$0 % traeger.count]) + "\n" }.joined()
    }
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("clitests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: sub(name)))
        return sub(name)
    }
}

/// `doppelledger init` of a Jugendamt ledger in `dir/name`; returns its folder.
func initLedger(_ dir: TempDir, _ name: String = "ledger") throws -> String {
    let path = dir.sub(name)
    let result = try CLI.run(["init", path, "--side", "jugendamt", "--org", "trier-saarburg"])
    guard result.status == 0 else { throw Subprocess.Failure(description: "init failed: \(result)") }
    return path
}
