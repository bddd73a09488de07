// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Perceptron",
    products: [
        .library(name: "Perceptron", targets: ["Perceptron"]),
        .executable(name: "perceptron", targets: ["PerceptronCLI"]),
        .executable(name: "perceptron-bench", targets: ["PerceptronBenchmarks"]),
    ],
    traits: [
        .trait(
            name: "OpenBLAS",
            description: "Use the system OpenBLAS (libopenblas-dev) and LAPACKE (liblapacke-dev)."),
        .trait(
            name: "Zlib",
            description: "Read gzip-compressed IDX files through the system zlib (zlib1g-dev)."),
        .trait(
            name: "MPI",
            description: "Data-parallel training across processes through Open MPI (libopenmpi-dev, openmpi-bin)."),
        .default(enabledTraits: ["OpenBLAS", "Zlib"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Modules/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            path: "Modules/CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Modules/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CMPI",
            path: "Modules/CMPI",
            pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        // Elementwise loops built for AVX2/AVX-512 with run-time dispatch (see its header).
        .target(name: "CKernels"),
        .target(
            name: "Perceptron",
            dependencies: [
                "CKernels",
                .product(name: "RealModule", package: "swift-numerics"),
                .target(name: "CBLAS", condition: .when(traits: ["OpenBLAS"])),
                .target(name: "CLAPACKE", condition: .when(traits: ["OpenBLAS"])),
                .target(name: "CZlib", condition: .when(traits: ["Zlib"])),
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
            ]
        ),
        .executableTarget(
            name: "PerceptronCLI",
            dependencies: [
                "Perceptron",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "CAllocCounter", path: "Benchmarks/CAllocCounter"),
        .executableTarget(
            name: "PerceptronBenchmarks",
            dependencies: [
                "Perceptron",
                "CAllocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/PerceptronBenchmarks"
        ),
        .testTarget(
            name: "PerceptronTests",
            dependencies: ["Perceptron", "CAllocCounter"],
            exclude: ["Fixtures"]
        ),
        // Data-parallel checks run under mpirun by the MPI tests (Tests/PerceptronTests/Distributed).
        .executableTarget(
            name: "perceptron-mpi-check", dependencies: ["Perceptron", "CAllocCounter"], path: "Tests/MPI/PerceptronMPICheck"),
        // libFuzzer targets: no-op executables in a plain build; see Scripts/fuzz.sh.
        .executableTarget(name: "FuzzSafetensors", dependencies: ["Perceptron"], path: "Tests/Fuzz/FuzzSafetensors"),
        .executableTarget(name: "FuzzNPY", dependencies: ["Perceptron"], path: "Tests/Fuzz/FuzzNPY"),
        .executableTarget(name: "FuzzIDX", dependencies: ["Perceptron"], path: "Tests/Fuzz/FuzzIDX"),
        .executableTarget(name: "FuzzModelFile", dependencies: ["Perceptron"], path: "Tests/Fuzz/FuzzModelFile"),
    ]
)
