#include "impls/external/plugin_candidate.h"

#include <dlfcn.h>

#include <filesystem>

#include "impls/external/abi_spec.h"
#include "include/ropebench_plugin.h"

namespace ropebench {
namespace {

using AbiVersionFn = int32_t (*)();
using NameFn = const char* (*)();
using ApplyFn = int32_t (*)(const ropebench_spec*, const int64_t*, ropebench_tensor*,
                            ropebench_tensor*);

ropebench_tensor AbiTensor(const TensorView& view) {
  constexpr ropebench_dtype kDTypes[] = {ROPEBENCH_F32, ROPEBENCH_F16, ROPEBENCH_BF16};
  return {view.data,       kDTypes[static_cast<int>(view.dtype)],
          view.tokens,     view.heads,
          view.head_dim,   view.token_stride,
          view.head_stride};
}

class PluginCandidate final : public Candidate {
 public:
  PluginCandidate(void* library, std::string name, std::string path, ApplyFn apply)
      : library_(library), name_(std::move(name)), apply_(apply) {
    capabilities_ =
        AllCapabilities("plugin " + path + " (declines what it does not support, per call)");
    capabilities_.external = true;
  }
  ~PluginCandidate() override { dlclose(library_); }

  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return capabilities_; }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    const ropebench_spec abi_spec = AbiSpec(spec);
    ropebench_tensor abi_q = AbiTensor(q);
    ropebench_tensor abi_k = k != nullptr ? AbiTensor(*k) : ropebench_tensor{};
    const int32_t status =
        apply_(&abi_spec, positions.data(), &abi_q, k != nullptr ? &abi_k : nullptr);
    if (status == ROPEBENCH_OK) return {};
    if (status == ROPEBENCH_UNSUPPORTED) {
      return {CallStatus::kUnsupported, "the plugin declines this case"};
    }
    return {CallStatus::kError, "the plugin returned " + std::to_string(status)};
  }

 private:
  void* library_;
  std::string name_;
  ApplyFn apply_;
  Capabilities capabilities_;
};

class UnusablePluginCandidate final : public Candidate {
 public:
  UnusablePluginCandidate(const std::string& path, std::string why)
      : name_(std::filesystem::path(path).stem().string()), why_(std::move(why)) {
    capabilities_ = AllCapabilities("plugin " + path + " (unusable: " + why_ + ")");
    capabilities_.external = true;
  }
  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  CallResult Rotate(const RopeSpec&, std::span<const int64_t>, const TensorView&,
                    const TensorView*) override {
    return {CallStatus::kError, why_};
  }

 private:
  std::string name_;
  std::string why_;
  Capabilities capabilities_;
};

}  // namespace

std::unique_ptr<Candidate> UnusablePlugin(const std::string& path, const std::string& why) {
  return std::make_unique<UnusablePluginCandidate>(path, why);
}

std::unique_ptr<Candidate> LoadPlugin(const std::string& path, std::string& error) {
  // A bare file name would make dlopen search the library path, not the current directory.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* library = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    error = "cannot load plugin " + path + ": " + dlerror();
    return nullptr;
  }
  auto fail = [&](const std::string& why) {
    dlclose(library);
    error = "plugin " + path + ": " + why;
    return nullptr;
  };
  auto version = reinterpret_cast<AbiVersionFn>(dlsym(library, "ropebench_abi_version"));
  auto name = reinterpret_cast<NameFn>(dlsym(library, "ropebench_name"));
  auto apply = reinterpret_cast<ApplyFn>(dlsym(library, "ropebench_apply"));
  if (version == nullptr) return fail("missing symbol ropebench_abi_version");
  if (name == nullptr) return fail("missing symbol ropebench_name");
  if (apply == nullptr) return fail("missing symbol ropebench_apply");
  if (const int32_t v = version(); v != ROPEBENCH_ABI_VERSION) {
    return fail("ABI version " + std::to_string(v) + ", this ropebench speaks " +
                std::to_string(ROPEBENCH_ABI_VERSION));
  }
  const char* plugin_name = name();
  if (plugin_name == nullptr || *plugin_name == '\0') return fail("ropebench_name() is empty");
  return std::make_unique<PluginCandidate>(library, plugin_name, path, apply);
}

}  // namespace ropebench
