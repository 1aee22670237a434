import ArgumentParser
import Tensor
import Plumbing
import Repro

/// The options every chapter takes. A chapter embeds them with `@OptionGroup var common: CommonOptions`.
public struct CommonOptions: ParsableArguments {
    @Option(help: "smoke (seconds, for tests), course (default: the whole book on 2 cores, pretraining included), full, or paper.")
    public var scale: Scale = .course

    @Option(name: .customLong("data-dir"),
            help: "Where the data sets are (default: ../shared/data when it exists, else data/).")
    public var dataDirectory: String?

    @Option(name: .customLong("out"), help: "Where chapters write their artifacts.")
    public var outputDirectory: String = "artifacts"

    // `.unconditional`: the value after the flag is the value even when it starts with "-", so `--seed -1` is an
    // invalid value, not a missing one (the same for every numeric option of every chapter).
    @Option(parsing: .unconditional, help: "Seed for every random choice (splits, shuffles, initial weights).")
    public var seed: UInt64 = 1234

    @Flag(help: "Run the chapter even when its previous run is up to date (same program, options and inputs).")
    public var rerun = false

    public init() {}

    public var preset: Preset { Preset.named(scale) }

    /// The data directory: the flag, else ../shared/data when it exists, else data/.
    public var resolvedDataDirectory: String {
        if let dataDirectory { return dataDirectory }
        return FileIO.isDirectory("../shared/data") ? "../shared/data" : "data"
    }

    public var json: JSON {
        JSON(["scale": .string(scale.rawValue), "data_dir": .string(resolvedDataDirectory),
              "out": .string(outputDirectory), "seed": .number(Double(seed))])
    }
}

extension Scale: ExpressibleByArgument {}

/// Resuming a training chapter, or stopping it early: how a run reaches its result, not what the result is. A chapter
/// that takes these lists "resuming" in its `runControl`, so they are never recorded and a finished run is reused
/// whichever were given.
public struct Resuming: ParsableArguments {
    @Flag(help: "Continue from the last checkpoint.")
    public var resume = false

    @Option(name: .customLong("stop-after"), parsing: .unconditional,
            help: "Stop after this many optimizer steps, with a checkpoint (then --resume).")
    public var stopAfter: Int?

    public init() {}

    public func validate() throws {
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1") }
    }
}
