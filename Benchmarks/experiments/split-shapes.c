// Each GEMM of a 784-256-128-10 training step three ways, in one run: one cblas_sgemm call with
// OpenBLAS's own 2 threads ("floor2"), and as two single-threaded calls on two threads, one
// per block of C's rows ("split-m") or of its columns ("split-n"). Median µs over 1,500 calls,
// three rounds each. This is the measurement behind BLASBackend's preference for row blocks (ProductPartition).
//
//   gcc -O2 -o /tmp/split-shapes Benchmarks/experiments/split-shapes.c -lopenblas -lpthread
//   /tmp/split-shapes 128 && /tmp/split-shapes 256
//
// The helper thread busy-waits here (the library's helper spins, then sleeps); OpenBLAS is set
// to 1 thread while the split variants run.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
void openblas_set_num_threads(int);
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float *mk(long n){float*p=aligned_alloc(64,(n*4+63)/64*64);for(long i=0;i<n;i++)p[i]=(float)rand()/RAND_MAX-0.5f;return p;}
typedef struct {int ta,tb,m,n,k; const float*a; int lda; const float*b; int ldb; float*c; int ldc;} G;
static void run(G g){cblas_sgemm(CblasRowMajor,g.ta?CblasTrans:CblasNoTrans,g.tb?CblasTrans:CblasNoTrans,g.m,g.n,g.k,1,g.a,g.lda,g.b,g.ldb,0,g.c,g.ldc);}
static _Atomic int seq=0, done=0, active=0; static G job;
static void* helper(void*x){int last=0;for(;;){int s;while((s=atomic_load_explicit(&seq,memory_order_acquire))==last){ if(!atomic_load(&active)){struct timespec ts={0,200000};nanosleep(&ts,0);} else __builtin_ia32_pause();} last=s; run(job); atomic_store_explicit(&done,s,memory_order_release);} return 0;}
static void par(G mine, G theirs){job=theirs; int s=atomic_load(&seq)+1; atomic_store_explicit(&seq,s,memory_order_release); run(mine); while(atomic_load_explicit(&done,memory_order_acquire)!=s) __builtin_ia32_pause();}
static G g0; static int mode;
static void one(void){ G g=g0; if(mode==0){run(g);return;}
  if(mode==1){ int h=(g.m/2+15)/16*16; G a=g,b=g; a.m=h; b.m=g.m-h; b.a=g.ta? g.a+h : g.a+(long)h*g.lda; b.c=g.c+(long)h*g.ldc; par(a,b);} 
  else { int h=(g.n/2+15)/16*16; G a=g,b=g; a.n=h; b.n=g.n-h; b.b=g.tb? g.b+(long)h*g.ldb : g.b+h; b.c=g.c+h; par(a,b);} }
int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
double med(int R){static double t[4000];for(int r=0;r<R;r++){double t0=now();one();t[r]=now()-t0;}qsort(t,R,sizeof(double),cmp);return t[R/2]*1e6;}
int main(int argc,char**argv){ pthread_t th; pthread_create(&th,0,helper,0);
 int B=atoi(argv[1]);
 int sh[][5]={{0,1,B,256,784},{0,1,B,128,256},{1,0,128,256,B},{0,0,B,256,128},{1,0,256,784,B}};
 const char*nm[]={"H1=X.W1t","H2=H1.W2t","dW2=G2t.H1","G1=G2.W2","dW1=G1t.X"};
 for(int s=0;s<5;s++){int ta=sh[s][0],tb=sh[s][1],m=sh[s][2],n=sh[s][3],k=sh[s][4];
  float*A=mk((long)m*k),*Bm=mk((long)k*n),*C=mk((long)m*n);
  g0=(G){ta,tb,m,n,k,A,ta?m:k,Bm,tb?k:n,C,n};
  double r[3][3];
  for(int rep=0;rep<3;rep++){ openblas_set_num_threads(2); mode=0; r[0][rep]=med(1500);
   openblas_set_num_threads(1); atomic_store(&active,1); mode=1; r[1][rep]=med(1500); mode=2; r[2][rep]=med(1500); atomic_store(&active,0);}
  printf("%-11s %d×%d×%d  floor2 %.1f %.1f %.1f | split-m %.1f %.1f %.1f | split-n %.1f %.1f %.1f us\n",nm[s],m,n,k,r[0][0],r[0][1],r[0][2],r[1][0],r[1][1],r[1][2],r[2][0],r[2][1],r[2][2]);}
}
