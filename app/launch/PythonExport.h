#pragma once

#include "ExportTarget.h"

#include <QString>
#include <QStringList>

struct LaunchSpec;

// The launch as a runnable script for the Docker SDK for Python (python3-docker).
class PythonExport
{
public:
    // target: on Podman before 5.4 a GPU launch says the SDK's request is dropped there, and
    // gives the podman command instead.
    static QString script(const LaunchSpec &spec, bool detach, const ExportTarget &target = {});
    // A Python string literal for text, ASCII only, for any text (quotes, backslashes, control
    // characters, non-BMP characters).
    static QString stringLiteral(const QString &text);
    static QString listLiteral(const QStringList &items);
};
