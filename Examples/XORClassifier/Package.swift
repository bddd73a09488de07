// swift-tools-version: 6.1
import PackageDescription

// A separate package that uses Perceptron as any user would: through `.package(path:)` and the
// public API only.
//
// Its own traits `OpenBLAS` and `Zlib` (both on by default) are forwarded to Perceptron's:
// `swift run` uses OpenBLAS, and `swift run --disable-default-traits` builds Perceptron without
// any C library (pure Swift, naive backend). Command-line trait flags apply only to the root
// package, hence the forwarding. `name:` fixes the package's identity, which would otherwise be
// the name of the folder the repository is checked out in.
let package = Package(
    name: "XORClassifier",
    traits: [
        .trait(name: "OpenBLAS", description: "Build Perceptron with OpenBLAS and LAPACKE."),
        .trait(name: "Zlib", description: "Build Perceptron with zlib (gzip-compressed IDX files)."),
        .default(enabledTraits: ["OpenBLAS", "Zlib"]),
    ],
    dependencies: [
        .package(
            name: "Perceptron", path: "../..",
            traits: [
                .trait(name: "OpenBLAS", condition: .when(traits: ["OpenBLAS"])),
                .trait(name: "Zlib", condition: .when(traits: ["Zlib"])),
            ]
        )
    ],
    targets: [
        .executableTarget(
            name: "XORClassifier",
            dependencies: [.product(name: "Perceptron", package: "Perceptron")]
        )
    ]
)
