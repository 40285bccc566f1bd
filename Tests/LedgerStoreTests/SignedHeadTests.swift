import Foundation
import Testing
@testable import LedgerCore
@testable import LedgerStore

@Suite("Signed head")
struct SignedHeadTests {
    @Test("the head's signature verifies with node.pub and fails with another key or another head")
    func signature() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir, name: "a")
        let other = try makeLedger(dir, name: "b")
        _ = try ledger.append((0..<5).map { event("k-\($0)") })

        let pub = try String(contentsOfFile: dir.sub("a/node.pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pub == ledger.publicKeyHex)
        #expect(pub.count == 64)
        #expect(pub != other.publicKeyHex)
        let keyFile = dir.sub("a/node.key")
        let permissions = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "the private key is readable by its owner only")

        let head = try ledger.signedHead()
        #expect(head.seq == 5)
        #expect(head.hash == (try ledger.head()).hash)
        #expect(head.ledger == "jugendamt:trier-saarburg")
        #expect(head.publicKey == pub)
        #expect(head.signature.count == 128)
        #expect(head.isValid(publicKeyHex: pub))
        #expect(!head.isValid(publicKeyHex: other.publicKeyHex))
        #expect(!head.isValid(publicKeyHex: "zz"))
        #expect(!head.isValid(publicKeyHex: ""))

        // The signed message is the canonical JSON of {hash, ledger, seq}.
        #expect(String(decoding: head.signedBytes, as: UTF8.self)
                == #"{"hash":"\#(head.hash.hex)","ledger":"jugendamt:trier-saarburg","seq":5}"#)
        #expect(verifySignature(head.signature, of: head.signedBytes, publicKeyHex: pub))

        // Any change to what was signed breaks it.
        var moved = head; moved.seq = 4
        #expect(!moved.isValid(publicKeyHex: pub))
        var rehashed = head; rehashed.hash = .zero
        #expect(!rehashed.isValid(publicKeyHex: pub))
        var renamed = head; renamed.ledger = "jugendamt:trier"
        #expect(!renamed.isValid(publicKeyHex: pub))
        var flipped = head
        flipped.signature = String(head.signature.prefix(10)) + (head.signature.dropFirst(10).first == "0" ? "1" : "0") + head.signature.dropFirst(11)
        #expect(!flipped.isValid(publicKeyHex: pub))
        // Another node's signature of the same head does not pass for this node.
        var forged = head
        forged.signature = try other.sign(head.signedBytes)
        #expect(!forged.isValid(publicKeyHex: pub))
        #expect(forged.isValid(publicKeyHex: other.publicKeyHex))

        // Through its JSON form (what `doppelledger head` prints) and back.
        let text = CanonicalWriter.string(head.json)
        let parsed = try SignedHead(json: try JSONParser.parse(text))
        #expect(parsed == head)
        #expect(parsed.isValid(publicKeyHex: pub))
    }

    @Test("an empty ledger's head is signed too: seq 0 and 64 zeros")
    func emptyHead() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        let head = try ledger.signedHead()
        #expect(head.seq == 0)
        #expect(head.hash == .zero)
        #expect(head.recordedAt == nil)
        #expect(head.isValid(publicKeyHex: ledger.publicKeyHex))
    }
}
