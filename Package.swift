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
        .executable(name: "doppelledger-gen", targets: ["doppelledger-gen"]),
        .executable(name: "doppelledger-bench", targets: ["Benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // The node: HTTP API, roles, group commit, peer sync, metrics.
        .target(name: "LedgerNode", dependencies: [
            "LedgerStore", "LedgerCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // A realistic, seeded Landkreis for the demo, tests and benchmarks. Pure, no I/O.
        .target(name: "LedgerGen", dependencies: ["LedgerCore"]),
        // The generator as a tool: writes import files per ledger.
        .executableTarget(name: "doppelledger-gen", dependencies: [
            "LedgerGen", "LedgerCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/Generate"),
        // The command line: thin glue.
        .executableTarget(name: "doppelledger", dependencies: [
            "LedgerStore", "LedgerCore", "LedgerGen", "LedgerNode",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The benchmark (issue 8): `swift run -c release doppelledger-bench`.
        .executableTarget(name: "Benchmark", dependencies: [
            "LedgerStore", "LedgerCore", "LMDB", "LedgerNode",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tools/Benchmark"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "LMDB", "LedgerGen"]),
        .testTarget(name: "CLITests", dependencies: ["LedgerCore", "LedgerGen"]),
        .testTarget(name: "LedgerNodeTests", dependencies: [
            "LedgerNode", "LedgerStore", "LedgerCore", "LedgerGen",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LedgerGenTests", dependencies: ["LedgerGen", "LedgerStore", "LedgerCore"]),
        .testTarget(name: "ReconcileTests", dependencies: ["LedgerStore", "LedgerCore"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming
}
