// swift-tools-version:6.0
// A literate reproduction of Korean instruction tuning of Polyglot-Ko on KoAlpaca v1.0 (KCC 2023).
// Libraries, each one thing:
//   Tensor    fp32 tensors and BLAS; knows nothing of the paper
//   Plumbing  JSON, files, seeded random numbers, safetensors, sha256, number formatting
//   Repro     the science: GPT-NeoX, AdamW, checkpoints, the tokenizer, the metrics, the paper's facts (Paper.swift)
//   Book      the book's machinery: chapters and their contracts, manifests, notebooks, tables, figures, options
// Each chapter is an executable under chapters/, run in order; `bench` measures speed, `inspect` holds small utilities,
// `fetch-data` fetches and checks the data sets (the reproduce command's first step).
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

func chapter(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["Tensor", "Plumbing", "Repro", "Book", argumentParser],
                      path: "chapters/\(name)")
}

let package = Package(
    name: "polyglot-ko-instruct",
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Plumbing", targets: ["Plumbing"]),
        .library(name: "Repro", targets: ["Repro"]),
        .library(name: "Book", targets: ["Book"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Tensor", dependencies: ["COpenBLAS"]),
        .target(name: "Plumbing", dependencies: ["Tensor"]),
        .target(name: "Repro", dependencies: ["Tensor", "Plumbing"]),
        .target(name: "Book", dependencies: ["Tensor", "Plumbing", "Repro", argumentParser]),

        chapter("ch00-pretraining"),
        chapter("ch01-data-repair"),
        chapter("ch02-prompting"),
        chapter("ch03-model-config"),
        chapter("ch04-training"),
        chapter("ch05-evaluation"),
        chapter("ch06-ablations"),
        .executableTarget(name: "bench", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "COpenBLAS", argumentParser],
                          path: "tools/bench"),
        .executableTarget(name: "inspect", dependencies: ["Tensor", "Plumbing", "Repro", "Book", argumentParser],
                          path: "tools/inspect"),
        // The data step: fetch, check and place the data sets (REPRODUCE.md). Book for the chapters' common options.
        .executableTarget(name: "fetch-data", dependencies: ["Plumbing", "Book", argumentParser],
                          path: "tools/fetch-data", exclude: ["sources.txt"]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor", "Plumbing", "COpenBLAS"]),
        .testTarget(name: "PlumbingTests", dependencies: ["Tensor", "Plumbing"], exclude: ["Fixtures"]),
        .testTarget(name: "BookTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", argumentParser]),
        .testTarget(name: "ReproTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book"]),
        .testTarget(name: "ModelTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book"], exclude: ["Fixtures"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book"], exclude: ["Fixtures"]),
        .testTarget(name: "CorpusTests", dependencies: ["Tensor", "Plumbing", "Repro"]),
        .testTarget(name: "DataRepairTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch01-data-repair"]),
        .testTarget(name: "PromptingTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch02-prompting"]),
        .testTarget(name: "ModelConfigTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch03-model-config"]),
        .testTarget(name: "TrainingTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch04-training"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch05-evaluation"], exclude: ["Fixtures"]),
        .testTarget(name: "FetchDataTests", dependencies: ["Plumbing", "fetch-data"]),
        .testTarget(name: "AblationTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch06-ablations"]),
        // Hostile input (the fuzzers' crashes, kept), kills and resumes, same seed → same bytes. Runs the chapters'
        // executables as subprocesses too, so it depends on every chapter it drives.
        .testTarget(name: "RobustnessTests", dependencies: ["Tensor", "Plumbing", "Repro", "Book", "ch00-pretraining", "ch01-data-repair", "ch02-prompting",
                                                            "ch03-model-config", "ch04-training", "ch05-evaluation",
                                                            "ch06-ablations", argumentParser]),
    ],
    // Swift 5 language mode: the chapters are single-threaded scripts with a few parallel loops, and strict
    // concurrency checking would add annotations that teach nothing about instruction tuning.
    swiftLanguageModes: [.v5]
)
