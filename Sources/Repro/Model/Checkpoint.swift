// Checkpoints in Hugging Face's layout, so `GPTNeoXForCausalLM.from_pretrained(directory)` reads what we write:
//   model.safetensors          every parameter under its Hugging Face name, F32
//   config.json                NeoXConfig.huggingFaceJSON, plus the model's name as _name_or_path
//   trainer_state.safetensors  AdamW's m and v (flat, in parameter-buffer order) and its step, plus the caller's
//                              metadata (RNG state, data position, …) as strings
// Each file is written atomically (temporary file, fsync, rename), so a crash leaves the old file or the new one.
import Tensor
import Plumbing

public enum Checkpoint {
    public static let modelFile = "model.safetensors"
    public static let configFile = "config.json"
    public static let trainerStateFile = "trainer_state.safetensors"

    /// Buffers that older Hugging Face GPT-NeoX checkpoints store beside the parameters (the causal mask and the
    /// rotary frequencies). They are derived from the config, so reading skips them.
    static func isDerivedBuffer(_ name: String) -> Bool {
        name.hasSuffix(".attention.bias") || name.hasSuffix(".attention.masked_bias") || name.hasSuffix(".inv_freq")
    }

    /// Other names a parameter goes by. transformers 5 calls the output matrix `lm_head` inside the model (its
    /// state_dict), though save_pretrained still writes `embed_out`; a file saved from a state_dict has the former.
    static let aliases = ["embed_out.weight": ["lm_head.weight"]]

    /// Write the model (and optionally the optimizer with `metadata`) into `directory`, creating it if needed.
    public static func save(_ model: GPTNeoX, optimizer: AdamW? = nil, metadata: [String: String] = [:],
                            to directory: String) throws {
        try FileIO.makeDirectories(directory)
        // transformers refuses a safetensors file whose metadata lacks format "pt".
        try Safetensors.write(model.namedParameters, metadata: ["format": "pt"], to: directory + "/" + modelFile)
        // The config plus the model's name under the key transformers itself records it in.
        var config = JSONObject([("_name_or_path", .string(model.config.name))])
        for (key, value) in model.config.huggingFaceJSON.object?.pairs ?? [] { config[key] = value }
        try FileIO.writeAtomically(directory + "/" + configFile, text: JSON.object(config).serialized(pretty: true) + "\n")
        if let optimizer {
            var meta = metadata
            meta["adamw.step"] = String(optimizer.step)
            let n = optimizer.m.count
            try Safetensors.write([("adamw.m", Tensor(viewing: optimizer.m, offset: 0, shape: [n])),
                                   ("adamw.v", Tensor(viewing: optimizer.v, offset: 0, shape: [n]))],
                                  metadata: meta, to: directory + "/" + trainerStateFile)
        }
    }

    /// The model in `directory`: its config.json, then every parameter (see `loadWeights`).
    public static func loadModel(from directory: String) throws -> GPTNeoX {
        let configPath = directory + "/" + configFile
        let bytes = try FileIO.read(configPath)
        let json: JSON
        do { json = try JSON.parse(bytes, file: configPath) } catch { throw ModelError("\(error)") }
        let config = try NeoXConfig(huggingFace: json, file: configPath)
        let model = GPTNeoX(config: config)
        try loadWeights(into: model, directory: directory)
        return model
    }

    public static let shardIndexFile = "model.safetensors.index.json"

    /// Every parameter of `model` from `directory`: `model.safetensors`, or the shards that
    /// `model.safetensors.index.json` lists (`model-00001-of-00003.safetensors`, …), as `save_pretrained` writes large
    /// models. Shards are opened one header at a time and each tensor is read straight into its place in the parameter
    /// buffer, so loading needs no second copy of the weights (a 1.3B model: about 5.3 GB of fp32 in all).
    public static func loadWeights(into model: GPTNeoX, directory: String) throws {
        let single = directory + "/" + modelFile, index = directory + "/" + shardIndexFile
        if FileIO.exists(single) { return try loadParameters(into: model, from: single) }
        if FileIO.exists(index) {
            let json: JSON
            do { json = try JSON.parse(try FileIO.read(index), file: index) } catch { throw ModelError("\(error)") }
            guard let map = json["weight_map"]?.object else { throw ModelError("\(index): no \"weight_map\" object") }
            var shards: [String] = []
            for (name, file) in map.pairs {
                guard let file = file.string, !file.contains("/"), file.hasSuffix(".safetensors") else {
                    throw ModelError("\(index): weight_map[\"\(name)\"] must name a .safetensors file in the same folder")
                }
                if !shards.contains(file) { shards.append(file) }
            }
            let files = try shards.sorted().map { try SafetensorsFile(path: directory + "/" + $0) }
            return try loadParameters(into: model, files: files, label: index)
        }
        for pickle in ["pytorch_model.bin", "pytorch_model.bin.index.json"] where FileIO.exists(directory + "/" + pickle) {
            throw ModelError("\(directory)/\(pickle): PyTorch pickle checkpoints are not read here (loading a pickle runs code). Convert once with transformers: AutoModelForCausalLM.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)")
        }
        throw ModelError("\(directory): neither \(modelFile) nor \(shardIndexFile) is there")
    }

    /// Read one safetensors file (F32, F16 or BF16) straight into the model's parameter buffer.
    public static func loadParameters(into model: GPTNeoX, from path: String) throws {
        try loadParameters(into: model, files: [try SafetensorsFile(path: path)], label: path)
    }

    /// Every parameter must be present, once, with its exact shape, in one of `files`; a tensor the model does not have
    /// is an error too (a different architecture), except the derived buffers older checkpoints carry.
    static func loadParameters(into model: GPTNeoX, files: [SafetensorsFile], label: String) throws {
        var problems: [String] = []
        var used = Set<String>()
        for (name, tensor) in model.namedParameters {
            let candidates = [name] + (aliases[name] ?? [])
            guard let (file, stored) = files.lazy.compactMap({ f in candidates.first { f.entry($0) != nil }.map { (f, $0) } }).first,
                  let entry = file.entry(stored) else {
                problems.append("missing tensor \"\(name)\" \(tensor.shape)")
                continue
            }
            used.insert(stored)
            guard entry.shape == tensor.shape else {
                problems.append("tensor \"\(stored)\" has shape \(entry.shape), the model needs \(tensor.shape)")
                continue
            }
            try file.read(stored, into: tensor.pointer, count: tensor.count)
        }
        for file in files {
            for name in file.names where !used.contains(name) && !isDerivedBuffer(name) {
                problems.append("unexpected tensor \"\(name)\" (not a parameter of \(model.config.name))")
            }
        }
        if !problems.isEmpty {
            let shown = problems.prefix(5).joined(separator: "; ")
            let more = problems.count > 5 ? "; and \(problems.count - 5) more" : ""
            throw ModelError("\(label): does not match the config: \(shown)\(more)")
        }
    }

    /// Restore AdamW's moments and step from `directory`; returns the metadata saved with them.
    @discardableResult
    public static func loadTrainerState(into optimizer: AdamW, from directory: String) throws -> [String: String] {
        let path = directory + "/" + trainerStateFile
        let file = try SafetensorsFile(path: path)
        for (name, buffer) in [("adamw.m", optimizer.m), ("adamw.v", optimizer.v)] {
            guard let entry = file.entry(name) else { throw ModelError("\(path): missing tensor \"\(name)\"") }
            guard entry.shape == [buffer.count] else {
                throw ModelError("\(path): tensor \"\(name)\" has shape \(entry.shape), the optimizer needs [\(buffer.count)]")
            }
            try file.read(name, into: buffer.base, count: buffer.count)
        }
        guard let stepText = file.metadata["adamw.step"], let step = Int(stepText), step >= 0 else {
            throw ModelError("\(path): metadata \"adamw.step\" is missing or not a non-negative integer")
        }
        optimizer.step = step
        return file.metadata
    }
}
