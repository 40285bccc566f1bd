import Foundation
import Hummingbird
import LedgerCore
import LedgerStore
import NIOCore
import Testing
@testable import LedgerNode

/// Two real nodes on loopback ports, Jugendamt and Träger, talking HTTP to each other.
@Suite struct TwoNodeTests {
    /// The peer entry the Träger's node uses for the Jugendamt's node, and the other way round.
    func jugendamtAsPeer(_ url: String, _ ja: Ledger) -> NodeConfig.Peer {
        NodeConfig.Peer(ledger: ja.name, url: url, token: Fixture.caritasOnJugendamt, publicKey: ja.publicKeyHex)
    }

    func caritasAsPeer(_ url: String, _ tc: Ledger) -> NodeConfig.Peer {
        NodeConfig.Peer(ledger: tc.name, url: url, token: Fixture.jugendamtOnCaritas, publicKey: tc.publicKeyHex)
    }

    func sync(_ own: Ledger, _ peer: NodeConfig.Peer, metrics: NodeMetrics? = nil) async throws -> SyncReport {
        try await PeerSyncer.syncOnce(ledgerDirectory: own.directory, ownLedger: own.name, peer: peer,
                                      logger: NodeProcess.silentLogger, metrics: metrics)
    }

    func mirror(_ own: Ledger, of peer: Ledger) throws -> MirrorStore {
        try MirrorStore.open(at: MirrorStore.directory(ledgerDirectory: own.directory, peer: peer.name.description))
    }

    func verifies(_ bytes: [UInt8]) -> Bool {
        var verifier = ExportVerifier()
        bytes.withUnsafeBytes { verifier.feed($0) }
        verifier.finish()
        return verifier.result.isValid
    }

    @Test func appendSyncBothWaysAndAuditBoth() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        let jaNode = try Fixture.node(ja, Fixture.jugendamtConfig())
        let tcNode = try Fixture.node(tc, Fixture.traegerConfig())
        try await Fixture.withLiveNode(jaNode) { jaURL in
            try await Fixture.withLiveNode(tcNode) { tcURL in
                // Appends over HTTP on both sides; the Jugendamt also books for another Träger.
                let jaBatch = "[\(Fixture.signer()),\(Fixture.kontrakt(key: "k-1", id: "k-1")),\(Fixture.prevention(key: "p-d", booking: "p-d", traeger: "diakonie"))]"
                #expect(try await Fixture.http("POST", jaURL + "/v1/events", token: Fixture.clerk, body: jaBatch).status == 201)
                #expect(try await Fixture.http("POST", jaURL + "/v1/events", token: Fixture.clerk,
                                               body: Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1")).status == 201)
                let tcBatch = "[\(Fixture.kontrakt(key: "k-1", id: "k-1")),\(Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1"))]"
                #expect(try await Fixture.http("POST", tcURL + "/v1/events", token: Fixture.clerk, body: tcBatch).status == 201)

                // A Träger's token is refused on another Träger's stream, over the network too.
                let diakonie = try await Fixture.http("GET", jaURL + "/v1/events?stream=traeger:diakonie", token: Fixture.caritasOnJugendamt)
                #expect(diakonie.status == 403)
                #expect(!String(buffer: diakonie.body).contains("p-d"))

                // The Träger pulls the Jugendamt's stream concerning it, and the other way round.
                let atTraeger = try await sync(tc, jugendamtAsPeer(jaURL, ja))
                #expect(atTraeger.added == 2)
                let atJugendamt = try await sync(ja, caritasAsPeer(tcURL, tc))
                #expect(atJugendamt.added == 2)
                let jaMirror = try mirror(tc, of: ja)
                #expect(try Fixture.exportBytes(jaMirror) == Fixture.exportBytes(ja, stream: "traeger:caritas"))
                #expect(try Fixture.exportBytes(mirror(ja, of: tc)) == Fixture.exportBytes(tc, stream: "jugendamt:trier-saarburg"))
                #expect(verifies(try Fixture.exportBytes(jaMirror)))
                #expect(!String(decoding: try Fixture.exportBytes(jaMirror), as: UTF8.self).contains("diakonie"))
                #expect(try jaMirror.signedHead()?.isValid(publicKeyHex: ja.publicKeyHex) == true)

                // Nothing new: nothing added. Something new: only that.
                #expect(try await sync(tc, jugendamtAsPeer(jaURL, ja)).added == 0)
                #expect(try await Fixture.http("POST", jaURL + "/v1/events", token: Fixture.clerk,
                                               body: Fixture.hours(key: "h-2", booking: "b-2", kontrakt: "k-1")).status == 201)
                let again = try await sync(tc, jugendamtAsPeer(jaURL, ja))
                #expect(again.added == 1 && again.head.streamSeq == 3)
                #expect(try Fixture.exportBytes(jaMirror) == Fixture.exportBytes(ja, stream: "traeger:caritas"))

                // The quarterly reconciliation on the Jugendamt's node, against its mirror of the Träger:
                // b-2 was booked at the Jugendamt only.
                let recon = try await Fixture.http("GET", jaURL + "/v1/reconciliation?counterparty=traeger:caritas&year=2025&quarter=1",
                                                   token: Fixture.auditor)
                #expect(recon.status == 200)
                guard case .array(let findings)? = try JSONParser.parse(Array(buffer: recon.body)).object?["findings"] else {
                    Issue.record("no findings array: \(String(buffer: recon.body))"); return
                }
                let kinds = findings.compactMap { $0.object?["kind"]?.string }
                #expect(kinds.contains("booking-missing-at-traeger") && kinds.contains("hours-mismatch"), "\(kinds)")
                // The views over HTTP, for clerks and auditors; a peer may not read them.
                let budget = try await Fixture.http("GET", jaURL + "/v1/budget?sozialraum=konz&year=2025&quarter=1", token: Fixture.clerk)
                #expect(budget.status == 200)
                #expect(try JSONParser.parse(Array(buffer: budget.body)).object?["sozialraum"] == "konz")
                let kontrakte = try await Fixture.http("GET", jaURL + "/v1/kontrakte?traeger=caritas", token: Fixture.auditor)
                guard case .array(let list) = try JSONParser.parse(Array(buffer: kontrakte.body)) else { Issue.record("kontrakte"); return }
                #expect(list.count == 1 && list[0].object?["bookedMinutes"] == .int(180))
                #expect(try await Fixture.http("GET", jaURL + "/v1/budget?sozialraum=konz&year=2025", token: Fixture.caritasOnJugendamt).status == 403)
                #expect(try await Fixture.http("GET", jaURL + "/v1/budget?sozialraum=nowhere&year=2025", token: Fixture.clerk).status == 400)

                // The auditor reads both ledgers whole, and both verify.
                for (url, ledger) in [(jaURL, ja), (tcURL, tc)] {
                    let all = try await Fixture.http("GET", url + "/v1/events", token: Fixture.auditor)
                    #expect(all.status == 200)
                    #expect(Array(buffer: all.body) == (try Fixture.exportBytes(ledger)))
                    #expect(verifies(Array(buffer: all.body)))
                    let head = try await Fixture.http("GET", url + "/v1/head", token: Fixture.auditor)
                    #expect(try SignedHead(json: try JSONParser.parse(Array(buffer: head.body))).isValid(publicKeyHex: ledger.publicKeyHex))
                    #expect(try await Fixture.http("POST", url + "/v1/events", token: Fixture.auditor, body: Fixture.signer(key: "x")).status == 403)
                }
            }
        }
    }

    @Test func aForgedHeadSignatureIsRefused() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        _ = try ja.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1")]))
        let stream = "traeger:caritas"
        // A fake Jugendamt node: the real records, but a head whose signature is forged.
        for forge in ["signature", "key", "hash"] {
            let router = Router()
            router.get("/v1/events") { _, _ in
                Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try Fixture.exportBytes(ja, stream: stream))))
            }
            router.get("/v1/head") { _, _ in
                var head = try ja.signedStreamHead(stream)
                switch forge {
                case "signature": // one bit of the signature flipped
                    let last = head.signature.removeLast()
                    head.signature.append(last == "0" ? "1" : "0")
                case "key": // properly signed, but by another node's key, which it sends along
                    head.publicKey = tc.publicKeyHex
                    head.signature = try tc.sign(head.signedBytes)
                default: // a head that claims another hash with the old signature
                    head.hash = Digest32.sha256(Array("forged".utf8))
                }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalWriter.encode(head.json))))
            }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { continuation.yield($0.localAddress!.port!) }, logger: NodeProcess.silentLogger)
            let metrics = NodeMetrics()
            try await Fixture.withLive(app, ports: ports) { url in
                await #expect(throws: SyncError.self, "forged \(forge)") {
                    try await sync(tc, jugendamtAsPeer(url, ja), metrics: metrics)
                }
                do {
                    _ = try await sync(tc, jugendamtAsPeer(url, ja))
                } catch SyncError.refused(let message) {
                    #expect(message.contains("pinned public key"), "forged \(forge): \(message)")
                }
            }
            #expect(try mirror(tc, of: ja).head() == .empty, "forged \(forge)")
            #expect(String(decoding: metrics.render(), as: UTF8.self).contains(#"doppelledger_peer_sync_refusals_total{peer="jugendamt:trier-saarburg"} 1"#))
        }
    }

    @Test func aRewrittenPeerHistoryIsRefused() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        _ = try ja.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1"),
                                          Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1", minutes: 90)]))
        let first = try await Fixture.withLiveNode(try Fixture.node(ja, Fixture.jugendamtConfig())) { url in
            try await sync(tc, jugendamtAsPeer(url, ja))
        }
        #expect(first.added == 2)
        let mirrored = try Fixture.exportBytes(mirror(tc, of: ja))

        // The Jugendamt's history rewritten with its own key: the booking now says 900 minutes
        // (same length, other content), then the same plus more records (longer).
        for extra in [0, 2] {
            let forgedDir = dir + "/forged-\(extra)"
            let forgedPath = try Fixture.jugendamt(in: forgedDir).directory
            for file in ["node.key", "node.pub"] {
                try FileManager.default.removeItem(atPath: forgedPath + "/" + file)
                try FileManager.default.copyItem(atPath: ja.directory + "/" + file, toPath: forgedPath + "/" + file)
            }
            let reopened = try Ledger.open(at: forgedPath, policy: DomainPolicy(views: Projector()))
            #expect(reopened.publicKeyHex == ja.publicKeyHex)
            _ = try reopened.append(Fixture.events([Fixture.signer(), Fixture.kontrakt(key: "k-1", id: "k-1"),
                                                    Fixture.hours(key: "h-1", booking: "b-1", kontrakt: "k-1", minutes: 900)]
                                                   + (0..<extra).map { Fixture.prevention(key: "p-\($0)", booking: "p-\($0)") }))
            let metrics = NodeMetrics()
            try await Fixture.withLiveNode(try Fixture.node(reopened, Fixture.jugendamtConfig())) { url in
                do {
                    _ = try await sync(tc, jugendamtAsPeer(url, ja), metrics: metrics)
                    Issue.record("a rewritten history (\(extra) extra records) was accepted")
                } catch SyncError.refused(let message) {
                    #expect(message.contains("changed its history"), "\(message)")
                }
            }
            #expect(try Fixture.exportBytes(mirror(tc, of: ja)) == mirrored)
            #expect(String(decoding: metrics.render(), as: UTF8.self).contains("doppelledger_peer_sync_refusals_total"))
        }
    }

    @Test func servePullsFromItsPeersPeriodically() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        _ = try tc.append(Fixture.events([Fixture.prevention(key: "p-1", booking: "p-1")]))
        try await Fixture.withLiveNode(try Fixture.node(tc, Fixture.traegerConfig())) { tcURL in
            var config = Fixture.jugendamtConfig()
            config.peers = [caritasAsPeer(tcURL, tc)]
            config.syncIntervalSeconds = 1
            try await Fixture.withLiveNode(try Fixture.node(ja, config)) { jaURL in
                // The first round runs at start; wait for the metric that says it succeeded.
                var synced = false
                for _ in 0..<1500 where !synced {
                    let metrics = try await Fixture.http("GET", jaURL + "/metrics", token: Fixture.auditor)
                    synced = String(buffer: metrics.body).contains(#"doppelledger_peer_last_sync_timestamp_seconds{peer="traeger:caritas"}"#)
                    if !synced { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(synced)
            }
        }
        #expect(try Fixture.exportBytes(mirror(ja, of: tc)) == Fixture.exportBytes(tc, stream: "jugendamt:trier-saarburg"))
    }
}
