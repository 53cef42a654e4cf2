#include "CliContext.h"
#include "Commands.h"

#include "common/Error.h"

int gpusCommand(CliContext &ctx, const QStringList &args)
{
    Q_UNUSED(args);
    return ctx.fail(Error(Error::Code::Unsupported, QStringLiteral("gpudeck gpus"),
                          QStringLiteral("not implemented yet")), 1);
}
