#include "data/images/preprocess_options.h"

#include <cstdio>

namespace mmoe::data {

std::string describe(const PreprocessOptions& o, int64_t views) {
  const auto& a = o.augment;
  char text[768];
  std::snprintf(text, sizeof(text),
                "resize=%lld crop=%lld antialias=%d mean=[%g,%g,%g] std=[%g,%g,%g] views=%lld"
                " rrc=%d scale=[%g,%g] ratio=[%g,%g] hflip=%g jitter=p%g,b%g,c%g,s%g,h%g dropout=p%g,n%lld,size%g",
                static_cast<long long>(o.resize), static_cast<long long>(o.crop), o.antialias ? 1 : 0, o.mean[0],
                o.mean[1], o.mean[2], o.std[0], o.std[1], o.std[2], static_cast<long long>(views),
                a.random_resized_crop.enabled ? 1 : 0, a.random_resized_crop.scale[0], a.random_resized_crop.scale[1],
                a.random_resized_crop.ratio[0], a.random_resized_crop.ratio[1], a.horizontal_flip,
                a.color_jitter.probability, a.color_jitter.brightness, a.color_jitter.contrast,
                a.color_jitter.saturation, a.color_jitter.hue, a.coarse_dropout.probability,
                static_cast<long long>(a.coarse_dropout.holes), a.coarse_dropout.size);
  return text;
}

}  // namespace mmoe::data
