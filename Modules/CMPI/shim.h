#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#include <mpi.h>

// Open MPI defines MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE and MPI_ERRORS_RETURN as
// macros that take the address of global structs; Swift cannot import such macros, so these
// helpers return them.
static inline MPI_Comm CMPI_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype CMPI_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype CMPI_double(void) { return MPI_DOUBLE; }
static inline MPI_Op CMPI_sum(void) { return MPI_SUM; }
static inline void *CMPI_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler CMPI_errors_return(void) { return MPI_ERRORS_RETURN; }

#endif
