// mmoe cache throughput (bench/README.md), measured side by side in one run:
//   1. decode: JPEG decoding alone on one thread (images/s per core);
//   2. backbone alone: the backbone on pre-decoded, preprocessed tensors in batches (images/s);
//   3. pipeline: the whole cache_rank (decode in the thread pool, preprocess, backbone, pooling,
//      shard writing) on the same images (images/s), and the ratio pipeline / backbone alone.
//
//   cache_bench [--images N] [--width W] [--height H] [--crop S] [--threads T] [--batch B]
//               [--channels C] [--reps K] [--backbone FILE]
//
// Images are synthetic smooth RGB JPEGs (quality 90, 4:2:0) written once to a temporary
// directory. The default backbone is `mmoe backbone random-conv` with --channels; --backbone
// takes any TorchScript file (e.g. an exported DINOv2). Medians over K alternating repetitions.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include <torch/torch.h>
#include <turbojpeg.h>

#include "data/images/backbone_runner.h"
#include "data/images/cache_config.h"
#include "data/images/feature_cache.h"
#include "data/images/image_decode.h"
#include "data/images/image_transform.h"
#include "data/images/random_conv_backbone.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
  int64_t images = 256;
  int64_t width = 320;
  int64_t height = 240;
  int64_t crop = 224;
  int64_t threads = 2;
  int64_t batch = 32;
  int64_t channels = 32;
  int64_t reps = 3;
  std::string backbone;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void write_jpeg(const fs::path& path, int64_t width, int64_t height, uint64_t seed) {
  std::vector<uint8_t> rgb(static_cast<size_t>(width * height * 3));
  const double fx = 0.01 + 0.001 * static_cast<double>(seed % 17), fy = 0.02 + 0.001 * static_cast<double>(seed % 11);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const size_t p = static_cast<size_t>((y * width + x) * 3);
      rgb[p] = static_cast<uint8_t>(127.5 + 127.5 * std::sin(fx * static_cast<double>(x) + static_cast<double>(seed)));
      rgb[p + 1] = static_cast<uint8_t>(127.5 + 127.5 * std::cos(fy * static_cast<double>(y)));
      rgb[p + 2] = static_cast<uint8_t>((x + y + static_cast<int64_t>(seed)) % 256);
    }
  }
  tjhandle handle = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(handle, rgb.data(), static_cast<int>(width), 0, static_cast<int>(height), TJPF_RGB, &jpeg, &size,
                  TJSAMP_420, 90, 0) != 0) {
    throw std::runtime_error(std::string("tjCompress2: ") + tjGetErrorStr2(handle));
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(jpeg), static_cast<std::streamsize>(size));
  tjFree(jpeg);
  tjDestroy(handle);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--images") o.images = std::stoll(next());
    else if (flag == "--width") o.width = std::stoll(next());
    else if (flag == "--height") o.height = std::stoll(next());
    else if (flag == "--crop") o.crop = std::stoll(next());
    else if (flag == "--threads") o.threads = std::stoll(next());
    else if (flag == "--batch") o.batch = std::stoll(next());
    else if (flag == "--channels") o.channels = std::stoll(next());
    else if (flag == "--reps") o.reps = std::stoll(next());
    else if (flag == "--backbone") o.backbone = next();
    else throw std::runtime_error("unknown flag " + flag);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    const fs::path dir = fs::temp_directory_path() / ("mmoe_cache_bench_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "images");
    std::ofstream csv(dir / "images.csv");
    csv << "path,split,label\n";
    for (int64_t i = 0; i < o.images; ++i) {
      write_jpeg(dir / "images" / (std::to_string(i) + ".jpg"), o.width, o.height, static_cast<uint64_t>(i));
      csv << "images/" << i << ".jpg,train," << (i % 2 ? "a" : "b") << "\n";
    }
    csv.close();
    fs::path backbone = o.backbone;
    if (backbone.empty()) {
      mmoe::data::RandomConvBackboneOptions options;
      options.channels = o.channels;
      backbone = dir / "backbone.pt";
      mmoe::data::make_random_conv_backbone(options).save(backbone.string());
    }
    std::ofstream(dir / "cache.yaml") << "manifest: images.csv\nbackbone: " << fs::absolute(backbone).string()
                                      << "\nout_dir: out\nbatch_size: " << o.batch << "\nthreads: " << o.threads
                                      << "\nrows_per_shard: 100000\npooling: cls\npreprocess: {resize: "
                                      << o.crop * 256 / 224 << ", crop: " << o.crop << "}\n";
    const auto config = mmoe::data::load_cache_config(dir / "cache.yaml");

    // Pre-decoded, preprocessed inputs for the backbone-alone rate.
    std::vector<torch::Tensor> inputs;
    for (int64_t i = 0; i < o.images; ++i) {
      const auto image = mmoe::data::decode_image(dir / "images" / (std::to_string(i) + ".jpg"));
      inputs.push_back(mmoe::data::preprocess_view(image, config.preprocess, 0, static_cast<uint64_t>(i), 0));
    }
    const auto all = torch::stack(inputs);  // [N, 3, S, S]
    mmoe::data::BackboneRunner runner(backbone, mmoe::data::Pooling::kCls, mmoe::data::BackboneDtype::kFloat32);

    std::vector<double> decode_rate, backbone_rate, pipeline_rate;
    for (int64_t rep = 0; rep < o.reps; ++rep) {
      auto start = Clock::now();
      for (int64_t i = 0; i < o.images; ++i) mmoe::data::decode_image(dir / "images" / (std::to_string(i) + ".jpg"));
      decode_rate.push_back(static_cast<double>(o.images) / seconds_since(start));

      start = Clock::now();
      for (int64_t b = 0; b < o.images; b += o.batch) runner.features(all.slice(0, b, std::min(o.images, b + o.batch)));
      backbone_rate.push_back(static_cast<double>(o.images) / seconds_since(start));

      fs::remove_all(dir / "out");
      start = Clock::now();
      mmoe::data::cache_rank(config, 0, 1);
      pipeline_rate.push_back(static_cast<double>(o.images) / seconds_since(start));
    }
    std::cout << std::fixed << std::setprecision(1) << "cache_bench: " << o.images << " JPEGs " << o.width << "x"
              << o.height << " -> " << o.crop << " px, batch " << o.batch << ", pool threads " << o.threads
              << ", torch threads " << torch::get_num_threads() << ", backbone "
              << (o.backbone.empty() ? "random-conv channels " + std::to_string(o.channels) : o.backbone) << " on "
              << runner.device() << ", medians of " << o.reps << "\n"
              << "decode (1 thread):        " << median(decode_rate) << " images/s per core\n"
              << "backbone alone:           " << median(backbone_rate) << " images/s\n"
              << "whole pipeline:           " << median(pipeline_rate) << " images/s\n"
              << std::setprecision(3) << "pipeline / backbone:      " << median(pipeline_rate) / median(backbone_rate)
              << "\n";
    fs::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cache_bench: " << e.what() << "\n";
    return 1;
  }
}
