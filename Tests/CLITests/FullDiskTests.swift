import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A ledger on a small filesystem (tmpfs of 2 MiB) that fills up: the append fails with one
/// clear sentence (exit 3), nothing is half-written, and once space is freed the ledger works on.
@Suite("Full disk", .serialized)
struct FullDiskTests {
    /// Mounts a tmpfs of `size` at `path`, runs `body`, and unmounts in all cases.
    static func withSmallFilesystem(_ path: String, size: String, _ body: () throws -> Void) throws {
        guard isRoot else {
            Issue.record("this test mounts a small tmpfs and needs root (CI runs as root); it could not run here as uid \(geteuid())")
            return
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0700") == 0 else {
            Issue.record("mounting a tmpfs of \(size) at \(path) failed: \(String(cString: strerror(errno))); the full-disk test could not run")
            return
        }
        defer {
            if umount2(path, Int32(MNT_DETACH)) != 0 { Issue.record("unmounting \(path) failed: \(String(cString: strerror(errno)))") }
        }
        try body()
    }

    /// Fills the filesystem holding `path` with a file until a write fails; returns the bytes written.
    static func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return total }
            total += n
        }
    }

    @Test("appends and imports on a full disk fail clearly with nothing half-written; after freeing space the ledger works again")
    func fullDisk() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let mountPoint = dir.sub("small")
        try Self.withSmallFilesystem(mountPoint, size: "4m") {
            let ledger = mountPoint + "/ledger"
            let r = try CLI.run(["init", ledger, "--side", "jugendamt", "--org", "trier-saarburg"])
            try #require(r.status == 0, "\(r)")
            try #require(CLI.run(["import", ledger, try dir.write("setup.jsonl", KonzWorld.setupText())]).status == 0)
            for n in 0..<5 { try #require(CLI.run(KonzWorld.appendHoursArgs(ledger, key: "h-\(n)", n: n)).status == 0) }
            let viewsBefore = try viewsJSON(ledger)

            // Completely full: appends are refused clearly once the data file must grow (the
            // first few may fit into pages LMDB freed before), and each refusal leaves nothing.
            let filler = mountPoint + "/filler"
            _ = Self.fill(filler)
            var acknowledged: [String] = []
            var full = ProcessResult(status: 0, signal: nil, stdout: "", stderr: "")
            for n in 0..<40 where full.status == 0 {
                let before = try CLI.run(["export", ledger]).stdout
                full = try CLI.run(KonzWorld.appendHoursArgs(ledger, key: "full-\(n)", n: n))
                if full.status == 0 { acknowledged.append("full-\(n)"); continue }
                #expect(full.status == 3 && full.oneClearLine && full.stderr.contains("full"), "\(full)")
                #expect(try CLI.run(["export", ledger]).stdout == before, "nothing of the refused append is there")
            }
            #expect(full.status == 3, "an append on a full disk was refused within 40 tries")
            let verifyFull = try CLI.run(["verify", ledger, "--views"])
            #expect(verifyFull.status == 0, "verify on the full disk: \(verifyFull)")

            // Some room, but not enough for a large import (its file lives elsewhere): refused
            // as a whole, clearly, and nothing of it is there.
            try #require(unlink(filler) == 0)
            let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
            var st = statvfs()
            statvfs(mountPoint, &st)
            let free = Int(st.f_bavail) * Int(st.f_frsize)
            try #require(free > 1_000_000, "the small disk should have room after the filler went, has \(free) bytes free")
            try #require(posix_fallocate(fd, 0, off_t(free - 300_000)) == 0)
            close(fd)
            let before = try CLI.run(["export", ledger]).stdout
            let big = try dir.write("big.jsonl", (0..<1500).map { KonzWorld.hoursLine(key: "big-\($0)", n: $0) + "\n" }.joined())
            let refused = try CLI.run(["import", ledger, big])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.oneClearLine && refused.stderr.contains("full"), "one clear sentence: \(refused.stderr)")
            #expect(try CLI.run(["verify", ledger, "--views"]).status == 0)
            #expect(try CLI.run(["export", ledger]).stdout == before, "nothing of the refused import is there")

            // Space freed: the same import and appends go through, and everything verifies.
            try #require(unlink(filler) == 0)
            let again = try CLI.run(["import", ledger, big])
            #expect(again.status == 0, "\(again)")
            #expect(try CLI.run(KonzWorld.appendHoursArgs(ledger, key: "h-after", n: 7)).status == 0)
            #expect(try CLI.run(["verify", ledger, "--views"]).status == 0)
            let keys = Set(exportKeys(try CLI.run(["export", ledger]).stdout))
            #expect(keys.isSuperset(of: (0..<1500).map { "big-\($0)" } + acknowledged + ["h-after"]))
            #expect(try viewsJSON(ledger) != viewsBefore, "the booked hours moved the views")
        }
    }
}
