// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "doppelledger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "doppelledger", targets: ["doppelledger"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .executable(name: "doppelledger-bench", targets: ["Benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // LMDB from Debian's liblmdb-dev; only the LMDB target imports it.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // SHA-256 from Debian's libssl-dev (OpenSSL uses the CPU's SHA instructions; about twice
        // swift-crypto's speed on short records). Linux only; elsewhere swift-crypto hashes.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // A small, generic, safe wrapper over LMDB. Knows nothing of ledgers.
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // The pure domain: JSON, canonical encoding, records, events, rules. No I/O.
        .target(name: "LedgerCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .target(name: "COpenSSL", condition: .when(platforms: [.linux])),
        ]),
        // The log on LMDB: chains, idempotency, state, views.
        .target(name: "LedgerStore", dependencies: [
            "LMDB", "LedgerCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The command line: thin glue.
        .executableTarget(name: "doppelledger", dependencies: [
            "LedgerStore", "LedgerCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The benchmark (issue 8): `swift run -c release doppelledger-bench`.
        .executableTarget(name: "Benchmark", dependencies: ["LedgerStore", "LedgerCore", "LMDB"], path: "Tools/Benchmark"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "LMDB"]),
        .testTarget(name: "CLITests", dependencies: ["LedgerCore"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming
}
