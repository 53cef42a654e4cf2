#pragma once

#include "GpuSelection.h"
#include "common/Result.h"

#include <QString>
#include <QStringList>

struct LaunchSpec;

// The docker CLI's --gpus value: one CSV record of fields "all", "N", "count=N",
// "device=ID,ID", "capabilities=CAP,CAP", "driver=NAME" (fields with commas in double quotes,
// as in --gpus '"device=0,2"'). Read and written as the CLI reads it, so the request is the same.
class GpuFlag
{
public:
    struct Value
    {
        GpuSelection gpus;
        QStringList capabilities; // without the implied "gpu"
        QString driver;

        void applyTo(LaunchSpec &spec) const;
    };

    // text is the value as docker receives it, after the shell removed its own quoting.
    static Result<Value> parse(const QString &text);

    // The value for spec (unquoted for the shell); empty when it asks for no GPUs or uses CDI,
    // which the CLI requests with --device instead.
    static QString format(const LaunchSpec &spec);

    // Go's encoding/csv rules for one record.
    static Result<QStringList> splitCsv(const QString &text);
    static QString joinCsv(const QStringList &fields);
};
