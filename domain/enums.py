"""Every enumeration of the original system, values spelled exactly as stored and exposed."""

from enum import StrEnum


class EstadoPendiente(StrEnum):
    REGISTRADO = "REGISTRADO"
    ASIGNADO = "ASIGNADO"
    EN_PROGRESO = "EN_PROGRESO"
    PAUSADO = "PAUSADO"
    REVISION = "REVISION"
    POR_VALIDAR = "POR_VALIDAR"
    OBSERVADO = "OBSERVADO"
    FINALIZADO = "FINALIZADO"
    POSTERGADO = "POSTERGADO"
    CANCELADO = "CANCELADO"


class EstadoTecnico(StrEnum):
    OK = "OK"
    PENDIENTE_PPPoE = "PENDIENTE_PPPoE"
    PENDIENTE_VLAN = "PENDIENTE_VLAN"
    PENDIENTE_PPPoE_Y_VLAN = "PENDIENTE_PPPoE_Y_VLAN"


class TipoPendiente(StrEnum):
    AVERIA = "AVERIA"
    INSTALACION_INTERNET = "INSTALACION_INTERNET"
    INSTALACION_CAMARAS = "INSTALACION_CAMARAS"
    RECOJO_DISPOSITIVOS = "RECOJO_DISPOSITIVOS"
    TRASLADO = "TRASLADO"


class PrioridadPendiente(StrEnum):
    BAJA = "BAJA"
    MEDIA = "MEDIA"
    URGENTE = "URGENTE"
    MUY_URGENTE = "MUY_URGENTE"


class LugarPendiente(StrEnum):
    ZONA_RURAL = "ZONA_RURAL"
    JULIACA = "JULIACA"
    PUNO = "PUNO"
    CHUCUITO = "CHUCUITO"
    PLATERIA = "PLATERIA"
    ACORA = "ACORA"
    ILAVE = "ILAVE"
    JULI = "JULI"
    POMATA = "POMATA"
    CHACACHACA = "CHACACHACA"
    YONGUYO = "YONGUYO"  # Yunguyo; the stored value keeps the original spelling
    ZEPITA = "ZEPITA"
    DESAGUADERO = "DESAGUADERO"


class EstadoSla(StrEnum):
    """Where a pendiente stands against its resolution deadline (domain/sla.py)."""

    EN_PLAZO = "EN_PLAZO"
    EN_RIESGO = "EN_RIESGO"
    INCUMPLIDO = "INCUMPLIDO"


class EmpresaPendiente(StrEnum):
    SIMAX = "SIMAX"
    WINEX = "WINEX"
    OTRO = "OTRO"


class TipoCliente(StrEnum):
    PERSONA = "PERSONA"
    EMPRESA = "EMPRESA"
    OTRO = "OTRO"


class TipoDocumento(StrEnum):
    RUC = "RUC"
    DNI = "DNI"
    CE = "CE"
    OTRO = "OTRO"


class TipoInstalacion(StrEnum):
    MIGRACION_FIBRA = "MIGRACION_FIBRA"
    MIGRACION_INALAMBRICO = "MIGRACION_INALAMBRICO"
    FIBRA = "FIBRA"
    INALAMBRICO = "INALAMBRICO"
    OTRO = "OTRO"


class TipoServicio(StrEnum):
    INTERNET_FIBRA = "INTERNET_FIBRA"
    INTERNET_INALAMBRICO = "INTERNET_INALAMBRICO"
    CAMARAS = "CAMARAS"
    DECOS = "DECOS"
    OTRO = "OTRO"


class TipoDispositivoRecojo(StrEnum):
    ROUTER = "ROUTER"
    DECO = "DECO"
    ANTENA = "ANTENA"
    OTRO = "OTRO"


class MetodoPago(StrEnum):
    BCP = "BCP"
    EFECTIVO = "EFECTIVO"
    LOS_ANDES = "LOS_ANDES"
    OTRO = "OTRO"


class TipoCatalogo(StrEnum):
    INTERNET = "INTERNET"
    CAMARAS = "CAMARAS"
    KIT = "KIT"
    SERVICIO = "SERVICIO"


class NotificationTipo(StrEnum):
    INFO = "INFO"
    SUCCESS = "SUCCESS"
    WARNING = "WARNING"
    ERROR = "ERROR"


class NotificationEstado(StrEnum):
    NO_LEIDO = "NO_LEIDO"
    LEIDO = "LEIDO"


# Types whose detail record carries PPPoE/VLAN fields; only these accept network actions.
TIPOS_CON_RED = frozenset({TipoPendiente.AVERIA, TipoPendiente.INSTALACION_INTERNET, TipoPendiente.TRASLADO})

# States in which a pendiente is still open work: the overdue flag applies only to these.
ESTADOS_VENCIBLES = frozenset(
    {
        EstadoPendiente.REGISTRADO,
        EstadoPendiente.ASIGNADO,
        EstadoPendiente.EN_PROGRESO,
        EstadoPendiente.PAUSADO,
        EstadoPendiente.OBSERVADO,
    }
)
