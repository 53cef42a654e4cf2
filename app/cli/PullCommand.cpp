#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "engine/ImagePull.h"
#include "registry/RegistryPull.h"

#include <QLocale>
#include <QStringList>

#include <unistd.h>

namespace {

QString layerLine(const QString &id, const QString &status, qint64 current, qint64 total)
{
    QString line = id + QStringLiteral(": ") + status;
    if (current >= 0 && total > 0) {
        const QLocale c = QLocale::c();
        line +=
            QStringLiteral(" %1/%2").arg(c.formattedDataSize(current, 1, QLocale::DataSizeSIFormat),
                                         c.formattedDataSize(total, 1, QLocale::DataSizeSIFormat));
    }
    return line;
}

} // namespace

int pullCommand(CliContext &ctx, const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-')))
        return ctx.usage(QStringLiteral(
            "'pull' takes one image, such as nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04."));
    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);

    // On a terminal one line per layer is redrawn in place, as docker pull does; otherwise a
    // line is printed when a layer's state changes, not for every byte.
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    QStringList ids;
    QStringList lines;
    QStringList states;
    int drawn = 0;
    RegistryPull pull(client.value(), args.first());
    QObject::connect(pull.imagePull(), &ImagePull::layer, &pull,
                     [&](const QString &id, const QString &status, qint64 current, qint64 total) {
                         qsizetype row = ids.indexOf(id);
                         if (row < 0) {
                             ids << id;
                             lines << QString();
                             states << QString();
                             row = ids.size() - 1;
                         }
                         lines[row] = layerLine(id, status, current, total);
                         if (!terminal) {
                             if (states[row] != status)
                                 ctx.out << id << ": " << status << Qt::endl;
                             states[row] = status;
                             return;
                         }
                         if (drawn > 0)
                             ctx.out << "\x1b[" << drawn << 'A';
                         for (const QString &line : std::as_const(lines))
                             ctx.out << "\x1b[2K" << line << '\n';
                         drawn = int(lines.size());
                         ctx.out.flush();
                     });
    QObject::connect(&pull, &RegistryPull::finished, &pull, [&](const Error &error) {
        if (error.isError()) {
            ctx.finish(ctx.fail(error, 1));
            return;
        }
        ctx.out << "Pulled " << pull.imagePull()->reference() << Qt::endl;
        ctx.finish(0);
    });
    pull.start();
    return ctx.exec();
}
