import Foundation
import LedgerCore
import LedgerStore
import Testing
@testable import LedgerNode

/// `doppelledger reconcile` with node URLs as sources (issue 6): the stream concerning the
/// counterparty is pulled from each node, checked against the pinned key, and compared exactly as
/// the same streams exported to files would be.
@Suite struct ReconcileURLTests {
    struct PeerEntry {
        var ledger: String, url: String, token: String, publicKey: String
    }

    func writeConfig(_ path: String, _ peers: [PeerEntry]) throws {
        let entries = peers.map {
            #"{"ledger":"\#($0.ledger)","url":"\#($0.url)","token":"\#($0.token)","publicKey":"\#($0.publicKey)"}"#
        }
        try #"{"peers":[\#(entries.joined(separator: ","))]}"#.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func anAuditorReconcilesTwoNodesByURL() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        // b-2 is booked at the Jugendamt only; Diakonie's record must not travel.
        _ = try ja.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1"),
                                          Fixture.prevention(key: "p-d", booking: "p-d", traeger: "diakonie"),
                                          Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1"),
                                          Fixture.hours(key: "h-2", booking: "b-2", kontrakt: "k-1")]))
        _ = try tc.append(Fixture.events([Fixture.kontrakt(key: "k-1", id: "k-1"), Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1")]))
        // What the same comparison gives from export files of the two streams.
        try write(try Fixture.exportBytes(ja, stream: "traeger:caritas"), dir + "/ja.jsonl")
        try write(try Fixture.exportBytes(tc, stream: "jugendamt:trier-saarburg"), dir + "/tc.jsonl")
        let period = ["--year", "2025", "--quarter", "1", "--format", "json"]
        let fromFiles = try await runCLI(["reconcile", "--jugendamt", dir + "/ja.jsonl", "--traeger", dir + "/tc.jsonl"] + period)
        #expect(fromFiles.status == 1, "\(fromFiles.err)")
        #expect(fromFiles.out.contains("booking-missing-at-traeger"))

        try await Fixture.withLiveNode(try Fixture.node(ja, Fixture.jugendamtConfig())) { jaURL in
            try await Fixture.withLiveNode(try Fixture.node(tc, Fixture.traegerConfig())) { tcURL in
                let config = dir + "/auditor.json"
                let jaPeer = PeerEntry(ledger: "jugendamt:trier-saarburg", url: jaURL, token: Fixture.auditor, publicKey: ja.publicKeyHex)
                let tcPeer = PeerEntry(ledger: "traeger:caritas", url: tcURL, token: Fixture.auditor, publicKey: tc.publicKeyHex)
                try writeConfig(config, [jaPeer, tcPeer])

                let fromNodes = try await runCLI(["reconcile", "--jugendamt", jaURL, "--traeger", tcURL, "--config", config] + period)
                #expect(fromNodes.status == 1, "\(fromNodes.err)")
                #expect(fromNodes.out == fromFiles.out, "the same streams give the same bytes, whether pulled or exported")
                #expect(!fromNodes.out.contains("diakonie"))

                // Mixed: the Träger's own folder against the Jugendamt's node, with the Träger's peer
                // token from the config found in its folder; --record appends to the folder only.
                let tcCopy = dir + "/tc-copy"
                let copied = try await runCLI(["backup", tc.directory, tcCopy])
                #expect(copied.status == 0, "\(copied.err)")
                try writeConfig(tcCopy + "/node.json", [PeerEntry(ledger: jaPeer.ledger, url: jaURL, token: Fixture.caritasOnJugendamt,
                                                                  publicKey: ja.publicKeyHex)])
                let mixed = try await runCLI(["reconcile", "--jugendamt", jaURL, "--traeger", tcCopy, "--record"] + period)
                #expect(mixed.status == 1, "\(mixed.err)")
                #expect(mixed.out.contains("booking-missing-at-traeger"))
                #expect(mixed.err.contains("recorded the reconciliation on traeger:caritas"))
                #expect(try ja.head().seq == 5, "nothing is appended to a source given as a URL")

                // A key that does not match the node's: refused (exit 1) before anything is compared.
                try writeConfig(config, [PeerEntry(ledger: jaPeer.ledger, url: jaURL, token: Fixture.auditor,
                                                   publicKey: tc.publicKeyHex), tcPeer])
                let forged = try await runCLI(["reconcile", "--jugendamt", jaURL, "--traeger", tcURL, "--config", config] + period)
                #expect(forged.status == 1)
                #expect(forged.out.isEmpty)
                #expect(forged.err.contains("refused jugendamt:trier-saarburg") && forged.err.contains("nothing was compared"), "\(forged.err)")

                // A Träger's token may not read another Träger's stream: the node says 403, exit 2.
                try writeConfig(config, [PeerEntry(ledger: jaPeer.ledger, url: jaURL, token: Fixture.diakonieOnJugendamt,
                                                   publicKey: ja.publicKeyHex), tcPeer])
                let foreign = try await runCLI(["reconcile", "--jugendamt", jaURL, "--traeger", tcURL, "--config", config] + period)
                #expect(foreign.status == 2)
                #expect(foreign.err.contains("403"), "\(foreign.err)")

                // A URL the config does not list, and a URL without any config: exit 2, one sentence.
                let unlisted = try await runCLI(["reconcile", "--jugendamt", "http://127.0.0.1:1", "--traeger", tcURL, "--config", config] + period)
                #expect(unlisted.status == 2)
                #expect(unlisted.err.contains("is not among the peers"))
                let noConfig = try await runCLI(["reconcile", "--jugendamt", jaURL, "--traeger", dir + "/tc.jsonl"] + period)
                #expect(noConfig.status == 2)
                #expect(noConfig.err.contains("--config"))
            }
        }
    }
}
