// swift-tools-version:6.0
// A literate reproduction of Korean instruction tuning of Polyglot-Ko on KoAlpaca v1.0 (KCC 2023).
// Libraries: Tensor (fp32 tensors on OpenBLAS; knows nothing of the paper) and Repro (what the chapters share).
// Each chapter is an executable under chapters/, run in order; `bench` measures speed, `inspect` holds small utilities.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

func chapter(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["Tensor", "Repro", argumentParser],
                      path: "chapters/\(name)")
}

let package = Package(
    name: "polyglot-ko-instruct",
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Repro", targets: ["Repro"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Tensor", dependencies: ["COpenBLAS"]),
        .target(name: "Repro", dependencies: ["Tensor", argumentParser]),

        chapter("ch01-data-repair"),
        chapter("ch02-prompting"),
        chapter("ch03-model-config"),
        chapter("ch04-training"),
        chapter("ch05-evaluation"),
        chapter("ch06-ablations"),
        .executableTarget(name: "bench", dependencies: ["Tensor", "Repro", "COpenBLAS", argumentParser],
                          path: "tools/bench"),
        .executableTarget(name: "inspect", dependencies: ["Tensor", "Repro", argumentParser],
                          path: "tools/inspect"),

        .testTarget(name: "TensorTests", dependencies: ["Tensor", "COpenBLAS"], exclude: ["Fixtures"]),
        .testTarget(name: "ReproTests", dependencies: ["Tensor", "Repro"]),
        .testTarget(name: "ModelTests", dependencies: ["Tensor", "Repro"], exclude: ["Fixtures"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tensor", "Repro"], exclude: ["Fixtures"]),
        .testTarget(name: "DataRepairTests", dependencies: ["Tensor", "Repro", "ch01-data-repair"]),
        .testTarget(name: "PromptingTests", dependencies: ["Tensor", "Repro", "ch02-prompting"]),
        .testTarget(name: "ModelConfigTests", dependencies: ["Tensor", "Repro", "ch03-model-config"]),
        .testTarget(name: "TrainingTests", dependencies: ["Tensor", "Repro", "ch04-training"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Tensor", "Repro", "ch05-evaluation"], exclude: ["Fixtures"]),
        .testTarget(name: "AblationTests", dependencies: ["Tensor", "Repro", "ch06-ablations"]),
        // Hostile input (the fuzzers' crashes, kept), kills and resumes, same seed → same bytes. Runs the chapters'
        // executables as subprocesses too, so it depends on every chapter it drives.
        .testTarget(name: "RobustnessTests", dependencies: ["Tensor", "Repro", "ch01-data-repair", "ch02-prompting",
                                                            "ch03-model-config", "ch04-training"]),
    ],
    // Swift 5 language mode: the chapters are single-threaded scripts with a few parallel loops, and strict
    // concurrency checking would add annotations that teach nothing about instruction tuning.
    swiftLanguageModes: [.v5]
)
