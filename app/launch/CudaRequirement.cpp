#include "CudaRequirement.h"

#include "common/JsonStrings.h"
#include "engine/EngineTypes.h"
#include "gpu/GpuSnapshot.h"

#include <QJsonArray>
#include <QMap>
#include <QRegularExpression>

namespace {

const QString kRequirePrefix = QStringLiteral("NVIDIA_REQUIRE_");

bool isVersion(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9.]+$"));
    return pattern.match(text).hasMatch()
           && text.contains(QRegularExpression(QStringLiteral("[0-9]")));
}

// Go's strconv.ParseBool, true half.
bool isTrue(const QString &value)
{
    static const QStringList yes = {QStringLiteral("1"),    QStringLiteral("t"),
                                    QStringLiteral("T"),    QStringLiteral("true"),
                                    QStringLiteral("TRUE"), QStringLiteral("True")};
    return yes.contains(value);
}

// "12.4.1" -> "12.4"; empty when it is not a version.
QString majorMinor(const QString &version)
{
    static const QRegularExpression pattern(QStringLiteral("^v?([0-9]+)(?:\\.([0-9]+))?"));
    const QRegularExpressionMatch m = pattern.match(version.trimmed());
    if (!m.hasMatch())
        return {};
    return m.captured(1) + QLatin1Char('.')
           + (m.captured(2).isEmpty() ? QStringLiteral("0") : m.captured(2));
}

Error invalid(const QString &expression, const QString &why)
{
    return Error(Error::Code::Validation,
                 QStringLiteral("The image's requirement \"%1\" is not valid").arg(expression),
                 why);
}

// One constraint, NAME OP VALUE. Unknown host facts count as met.
Result<bool> constraint(const QString &expression, const QString &text, const QString &cuda,
                        const QString &driver)
{
    static const QRegularExpression pattern(QStringLiteral("^([^<>=!]+)([<>=!]+)(.*)$"));
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch() || m.captured(3).isEmpty())
        return invalid(expression,
                       QStringLiteral("\"%1\" is not NAME, an operator and a value").arg(text));
    const QString name = m.captured(1).toLower();
    const QString op = m.captured(2);
    const QString value = m.captured(3);
    static const QStringList operators = {QStringLiteral("="), QStringLiteral("!="),
                                          QStringLiteral("<"), QStringLiteral("<="),
                                          QStringLiteral(">"), QStringLiteral(">=")};
    if (!operators.contains(op))
        return invalid(expression, QStringLiteral("\"%1\" is not an operator").arg(op));

    if (name == QLatin1String("brand")) {
        if (op != QLatin1String("=") && op != QLatin1String("!="))
            return invalid(expression, QStringLiteral("a brand is compared only with = or !="));
        return true; // not read by GPU Deck: met, as for a GPU whose brand is unknown
    }
    if (name == QLatin1String("arch")) {
        if (!isVersion(value))
            return invalid(expression, QStringLiteral("\"%1\" is not a version").arg(value));
        return true; // not read by GPU Deck
    }
    QString host;
    if (name == QLatin1String("cuda"))
        host = cuda;
    else if (name == QLatin1String("driver"))
        host = driver;
    else
        return invalid(expression,
                       QStringLiteral("\"%1\" is not one of cuda, driver, arch or brand").arg(name));
    if (!isVersion(value))
        return invalid(expression, QStringLiteral("\"%1\" is not a version").arg(value));
    if (host.isEmpty())
        return true;
    if (!isVersion(host))
        return true; // a driver version GPU Deck cannot compare is as good as unknown
    const int c = compareDottedVersions(host, value);
    if (op == QLatin1String("="))
        return c == 0;
    if (op == QLatin1String("!="))
        return c != 0;
    if (op == QLatin1String("<"))
        return c < 0;
    if (op == QLatin1String("<="))
        return c <= 0;
    if (op == QLatin1String(">"))
        return c > 0;
    return c >= 0;
}

} // namespace

CudaRequirement CudaRequirement::fromEnv(const QStringList &env)
{
    QMap<QString, QString> vars;
    for (const QString &entry : env) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq > 0)
            vars.insert(entry.left(eq), entry.mid(eq + 1));
    }
    CudaRequirement r;
    r.cudaVersion = vars.value(QStringLiteral("CUDA_VERSION"));
    r.disabled = isTrue(vars.value(QStringLiteral("NVIDIA_DISABLE_REQUIRE")));
    for (auto it = vars.cbegin(); it != vars.cend(); ++it) {
        if (it.key().startsWith(kRequirePrefix)
            && !it.key().startsWith(QLatin1String("NVIDIA_REQUIRE_JETPACK")))
            r.expressions << it.value();
    }
    if (!r.cudaVersion.isEmpty() && vars.value(QStringLiteral("NVIDIA_REQUIRE_CUDA")).isEmpty()) {
        const QString legacy = majorMinor(r.cudaVersion);
        if (!legacy.isEmpty())
            r.expressions << QStringLiteral("cuda>=") + legacy;
    }
    return r;
}

QStringList CudaRequirement::imageEnv(const QJsonObject &inspect)
{
    return jsonStrings(
        inspect.value(QStringLiteral("Config")).toObject().value(QStringLiteral("Env")));
}

QString CudaRequirement::neededCuda() const
{
    static const QRegularExpression pattern(QStringLiteral("(?:^|[\\s,])cuda>=([0-9.]+)"),
                                            QRegularExpression::CaseInsensitiveOption);
    for (const QString &expression : expressions) {
        const QRegularExpressionMatch m = pattern.match(expression);
        if (m.hasMatch())
            return m.captured(1);
    }
    return majorMinor(cudaVersion);
}

Result<bool> CudaRequirement::evaluate(const QString &expression, const QString &cudaVersion,
                                       const QString &driverVersion, QString *failed)
{
    QString firstFailure;
    bool any = false; // an alternative held
    bool sawAlternative = false;
    for (const QString &alternative : expression.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        bool all = true;
        for (const QString &part : alternative.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const Result<bool> met = constraint(expression, part, cudaVersion, driverVersion);
            if (!met)
                return met.error();
            if (!met.value()) {
                all = false;
                if (firstFailure.isEmpty())
                    firstFailure = part;
                break;
            }
        }
        sawAlternative = true;
        if (all) {
            any = true;
            break;
        }
    }
    if (failed)
        *failed = any ? QString() : firstFailure;
    return any || !sawAlternative;
}

Error CudaRequirement::check(const QString &image, const GpuSnapshot &host) const
{
    if (disabled || expressions.isEmpty())
        return {};
    for (const QString &expression : expressions) {
        QString failed;
        const Result<bool> met = evaluate(expression, host.cudaVersion, host.driverVersion,
                                          &failed);
        if (!met) {
            Error error = met.error();
            return error.withHint(
                QStringLiteral("Fix the image, or set NVIDIA_DISABLE_REQUIRE=1 in the "
                               "launch's environment to skip the check"));
        }
        if (met.value())
            continue;
        const QString offers = host.cudaVersion.isEmpty()
                                   ? QStringLiteral("driver %1").arg(host.driverVersion)
                                   : QStringLiteral("driver %1 offers CUDA %2")
                                         .arg(host.driverVersion, host.cudaVersion);
        const QString older = host.cudaVersion.isEmpty()
                                  ? QStringLiteral("an older CUDA")
                                  : QStringLiteral("CUDA %1 or older").arg(host.cudaVersion);
        return Error(Error::Code::Validation,
                     QStringLiteral("The host's NVIDIA driver cannot run %1").arg(image),
                     QStringLiteral("the image needs %1 and the host's %2").arg(failed, offers),
                     QStringLiteral(
                         "Install a newer NVIDIA driver on the host, or use a tag of the image "
                         "built for %1 (NVIDIA_DISABLE_REQUIRE=1 in the environment skips "
                         "this check)")
                         .arg(older));
    }
    return {};
}
