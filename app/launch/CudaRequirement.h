#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

class GpuSnapshot;

// What an image asks of the host's NVIDIA driver (its NVIDIA_REQUIRE_* variables and
// CUDA_VERSION), judged before the launch the way the NVIDIA Container Toolkit judges it at the
// container's start, so that a mismatch is one sentence instead of an OCI error.
//
// The rules, as libnvidia-container (src/cli/dsl.c, configure.c) and the toolkit's image
// reader (internal/config/image/cuda_image.go) apply them:
// - Every NVIDIA_REQUIRE_* variable except NVIDIA_REQUIRE_JETPACK is one expression, and all of
//   them must hold. An image with CUDA_VERSION but no NVIDIA_REQUIRE_CUDA (a "legacy" image)
//   gets the expression cuda>=MAJOR.MINOR of that version.
// - In an expression, words separated by spaces are alternatives (any one may hold); inside a
//   word, constraints separated by commas must all hold. Empty words and constraints are skipped.
// - A constraint is NAME OP VALUE with NAME cuda, driver, arch or brand (any case) and OP one of
//   = != < <= > >=. cuda is the driver's CUDA version, driver the driver's own version, compared
//   number by number ("13" equals "13.0"). brand compares text without regard to case, and only
//   with = or !=. Anything else makes the whole expression invalid, which refuses the start.
// - A fact the toolkit cannot read counts as met (an unknown CUDA or driver version, a GPU
//   without a brand). GPU Deck reads neither brand nor architecture, so those constraints count
//   as met here too: it never refuses what the toolkit would start.
// - NVIDIA_DISABLE_REQUIRE set to a true value (1, t, T, true, TRUE, True) turns every
//   requirement off.
class CudaRequirement
{
public:
    // env: the container's environment, the image's Config.Env with the launch's own entries
    // after it (a later KEY= wins, as in the container).
    static CudaRequirement fromEnv(const QStringList &env);
    // The image's Config.Env from GET /images/{name}/json, with the launch's env after it.
    static QStringList imageEnv(const QJsonObject &inspect);

    QStringList expressions; // one per NVIDIA_REQUIRE_* variable, sorted by name
    QString cudaVersion;     // the image's CUDA_VERSION, "12.4.1"; empty when it has none
    bool disabled = false;   // NVIDIA_DISABLE_REQUIRE is true

    bool isEmpty() const { return expressions.isEmpty(); }
    // What the image needs of CUDA, for lists: "12.4" from cuda>=12.4, else CUDA_VERSION's
    // major.minor; empty when it says nothing about CUDA.
    QString neededCuda() const;

    // One expression against a driver; an error (Code::Validation) when it is malformed.
    // failed, when given, receives the first constraint of the first alternative that did not
    // hold (what the toolkit names in its refusal).
    static Result<bool> evaluate(const QString &expression, const QString &cudaVersion,
                                 const QString &driverVersion, QString *failed = nullptr);

    // The refusal for launching image on the host whose driver snapshot describes; no error
    // when the driver runs it, when the requirements are disabled, or when the driver's
    // versions are not known.
    Error check(const QString &image, const GpuSnapshot &host) const;
};
